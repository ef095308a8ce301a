using Fundament.Toolkit;

namespace Fundament.Jobs.Schedules;

/// <summary>A cron schedule that enqueues a copy of its job template at every occurrence.</summary>
public sealed record Schedule(
    string Name,
    CronExpression Cron,
    string TimeZone,
    string Job,
    bool Enabled,
    DateTime? NextRunAt,
    DateTime? LastRunAt,
    string? LastJobId,
    DateTime CreatedAt,
    DateTime UpdatedAt)
{
    public TimeZoneInfo Zone => CronExpression.TryFindTimeZone(TimeZone, out var zone) ? zone : TimeZoneInfo.Utc;

    /// <summary>The first occurrence after <paramref name="utc"/>; null when disabled.</summary>
    public DateTime? NextAfter(DateTime utc) => Enabled ? Cron.NextAfter(utc, Zone) : null;
}
