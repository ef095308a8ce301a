using System.Text.Json;
using Fundament.Http;

namespace Fundament.Jobs;

/// <summary>
/// Runs jobs of one <see cref="Type"/>. Built in: <c>http</c>, <c>email.send</c>, <c>webhook.deliver</c>;
/// applications that embed Fundament add their own with <see cref="JobsServices.AddJobHandler(Microsoft.Extensions.Hosting.IHostApplicationBuilder, string, Func{JobContext, CancellationToken, Task})"/>.
/// A handler succeeds by returning and fails by throwing; <see cref="JobFailedException"/> with
/// <c>Permanent</c> skips the remaining attempts. The token fires on timeout, cancellation and shutdown.
/// </summary>
public interface IJobHandler
{
    string Type { get; }

    /// <summary>Checks a payload when the job is enqueued; an empty list means valid. Field names start with <c>payload</c>.</summary>
    IReadOnlyList<ErrorDetail> Validate(JsonElement payload) => [];

    Task RunAsync(JobContext context, CancellationToken cancellationToken);
}

/// <summary>What a handler knows about the attempt it runs, and where it reports a status and an excerpt for the attempt log.</summary>
public sealed class JobContext(Job job, int attempt, JsonElement payload)
{
    public const int MaxExcerptLength = 1024;

    private string? _excerpt;

    public Job Job { get; } = job;

    /// <summary>The number of this attempt in the job's log (1-based, keeps counting after a replay).</summary>
    public int Attempt { get; } = attempt;

    public JsonElement Payload { get; } = payload;

    /// <summary>A status to record with the attempt, such as the HTTP status a call returned.</summary>
    public int? Status { get; set; }

    /// <summary>A short excerpt to record with the attempt (truncated to <see cref="MaxExcerptLength"/> characters).</summary>
    public string? Excerpt
    {
        get => _excerpt;
        set => _excerpt = value is { Length: > MaxExcerptLength } ? value[..MaxExcerptLength] : value;
    }
}

/// <summary>Fails an attempt with a message for the attempt log; <see cref="Permanent"/> dead-letters the job at once.</summary>
public sealed class JobFailedException(string message, bool permanent = false, int? status = null) : Exception(message)
{
    public bool Permanent { get; } = permanent;

    public int? Status { get; } = status;
}

/// <summary>A handler made from a delegate, for applications that register their own job types.</summary>
internal sealed class DelegateJobHandler(string type, Func<JobContext, CancellationToken, Task> run) : IJobHandler
{
    public string Type { get; } = type;

    public Task RunAsync(JobContext context, CancellationToken cancellationToken) => run(context, cancellationToken);
}
