using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace Fundament.Jobs;

/// <summary>How this process works the queue; bound from the <c>Fundament</c> section (<c>FUNDAMENT_JOB_*</c>).</summary>
public sealed class JobsOptions
{
    public const int DefaultConcurrency = 4;
    public const int DefaultPollMilliseconds = 1000;
    public const int DefaultLeaseSeconds = 30;
    public const int DefaultShutdownGraceSeconds = 10;
    public const int DefaultRetentionDays = 7;

    /// <summary>Run job workers and the scheduler in this process (<c>FUNDAMENT_JOB_WORKERS=false</c> for API-only nodes).</summary>
    public bool JobWorkers { get; set; } = true;

    /// <summary>Jobs run at once per queue, unless <see cref="JobQueueConcurrency"/> says otherwise.</summary>
    [Range(1, 1000)]
    public int JobConcurrency { get; set; } = DefaultConcurrency;

    /// <summary>Per-queue overrides, for example <c>emails=2,webhooks=16</c>.</summary>
    public string? JobQueueConcurrency { get; set; }

    /// <summary>How often idle workers look for due jobs enqueued by other nodes.</summary>
    [Range(10, 60_000)]
    public int JobPollMilliseconds { get; set; } = DefaultPollMilliseconds;

    /// <summary>How long a claim lasts without renewal; a dead worker's jobs are claimed again after it.</summary>
    [Range(1, 3600)]
    public int JobLeaseSeconds { get; set; } = DefaultLeaseSeconds;

    /// <summary>How long shutdown waits for running jobs before handing them back to the queue.</summary>
    [Range(0, 600)]
    public int JobShutdownGraceSeconds { get; set; } = DefaultShutdownGraceSeconds;

    /// <summary>Succeeded and cancelled jobs are deleted after this many days; dead jobs stay until purged.</summary>
    [Range(1, 3650)]
    public int JobRetentionDays { get; set; } = DefaultRetentionDays;

    /// <summary>
    /// The <c>whsec_…</c> secret that signs the bodies of <c>http</c> jobs (<c>FUNDAMENT_JOB_SIGNING_SECRET</c>).
    /// Without it one is generated on first use and kept in the database, so every node signs alike.
    /// </summary>
    public string? JobSigningSecret { get; set; }

    public TimeSpan Lease => TimeSpan.FromSeconds(JobLeaseSeconds);

    public TimeSpan Poll => TimeSpan.FromMilliseconds(JobPollMilliseconds);

    /// <summary>Parses <see cref="JobQueueConcurrency"/>; throws <see cref="FormatException"/> when it is malformed.</summary>
    public Dictionary<string, int> QueueLimits()
    {
        var limits = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var part in (JobQueueConcurrency ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair.Length != 2 || pair[0].Length == 0 || !int.TryParse(pair[1], NumberStyles.None, CultureInfo.InvariantCulture, out int limit) || limit is < 1 or > 1000)
            {
                throw new FormatException($"JobQueueConcurrency: '{part}' is not queue=limit with a limit of 1 to 1000");
            }

            limits[pair[0]] = limit;
        }

        return limits;
    }
}

[OptionsValidator]
public sealed partial class JobsOptionsValidator : IValidateOptions<JobsOptions>;

/// <summary>Checks what the attributes cannot: the per-queue list parses.</summary>
public sealed class JobQueueConcurrencyValidator : IValidateOptions<JobsOptions>
{
    public ValidateOptionsResult Validate(string? name, JobsOptions options)
    {
        try
        {
            options.QueueLimits();
            return ValidateOptionsResult.Success;
        }
        catch (FormatException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
