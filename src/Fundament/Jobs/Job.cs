namespace Fundament.Jobs;

/// <summary>The states of a job (shared/API.md, "Jobs").</summary>
public static class JobStates
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Retrying = "retrying";
    public const string Succeeded = "succeeded";
    public const string Dead = "dead";
    public const string Cancelled = "cancelled";

    public static readonly string[] All = [Pending, Running, Retrying, Succeeded, Dead, Cancelled];

    /// <summary>True for the states a job never leaves on its own.</summary>
    public static bool IsFinished(string state) => state is Succeeded or Dead or Cancelled;
}

/// <summary>A stored job.</summary>
public sealed record Job(
    string Id,
    string Type,
    string Queue,
    int Priority,
    string Payload,
    string State,
    int Attempts,
    int MaxAttempts,
    int TimeoutSeconds,
    Backoff Backoff,
    DateTime RunAt,
    string? IdempotencyKey,
    string? LastError,
    string? Schedule,
    DateTime CreatedAt,
    DateTime UpdatedAt);

/// <summary>One try at running a job, as the attempt log keeps it.</summary>
public sealed record JobAttempt(int Attempt, DateTime StartedAt, DateTime? FinishedAt, bool? Ok, string? Error, int? Status, string? Excerpt, string? Node);

/// <summary>
/// What a caller asks to enqueue. Only <see cref="Type"/> (and the payload that type needs) is required;
/// the rest has defaults (<see cref="JobsOptions"/>).
/// </summary>
public sealed record JobRequest(string Type, string Payload)
{
    public const string DefaultQueue = "default";
    public const int DefaultMaxAttempts = 5;
    public const int DefaultTimeoutSeconds = 30;

    public string Queue { get; init; } = DefaultQueue;

    /// <summary>Higher runs first among due jobs of a queue.</summary>
    public int Priority { get; init; }

    /// <summary>When the job becomes due; null means now.</summary>
    public DateTime? RunAt { get; init; }

    public int MaxAttempts { get; init; } = DefaultMaxAttempts;

    public int TimeoutSeconds { get; init; } = DefaultTimeoutSeconds;

    public Backoff Backoff { get; init; } = Backoff.Default;

    /// <summary>A second enqueue with the same key returns the first job instead of adding one.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>The schedule that enqueued this job, if any.</summary>
    public string? Schedule { get; init; }
}
