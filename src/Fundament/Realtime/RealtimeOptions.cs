using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Fundament.Realtime;

/// <summary>How realtime streams behave; bound from the <c>Fundament</c> section (<c>FUNDAMENT_REALTIME_*</c>).</summary>
public sealed class RealtimeOptions
{
    public const int DefaultHeartbeatSeconds = 15;
    public const int DefaultBufferSize = 256;
    public const int DefaultRetryMilliseconds = 3_000;
    public const int DefaultLogMinutes = 10;
    public const int DefaultLogMaxRows = 10_000;
    public const int DefaultMaxSubscribers = 10_000;
    public const int DefaultPollMilliseconds = 2_000;
    public const int DefaultGapTimeoutMilliseconds = 3_000;

    /// <summary>How often an idle stream gets a <c>: ping</c> comment, so proxies do not close it.</summary>
    [Range(1, 3600)]
    public int RealtimeHeartbeatSeconds { get; set; } = DefaultHeartbeatSeconds;

    /// <summary>
    /// Events one connection may have waiting to be written. A client that falls this far behind is
    /// disconnected; it reconnects with <c>Last-Event-ID</c> and catches up from the change log.
    /// </summary>
    [Range(1, 100_000)]
    public int RealtimeBufferSize { get; set; } = DefaultBufferSize;

    /// <summary>The <c>retry:</c> hint: how long an EventSource waits before reconnecting.</summary>
    [Range(0, 3_600_000)]
    public int RealtimeRetryMilliseconds { get; set; } = DefaultRetryMilliseconds;

    /// <summary>How long changes stay in the log for <c>Last-Event-ID</c> resumes; older gaps get a <c>refetch</c> event.</summary>
    [Range(1, 7 * 24 * 60)]
    public int RealtimeLogMinutes { get; set; } = DefaultLogMinutes;

    /// <summary>The most changes the log keeps, whatever their age.</summary>
    [Range(10, 10_000_000)]
    public int RealtimeLogMaxRows { get; set; } = DefaultLogMaxRows;

    /// <summary>Open streams one node accepts; more are answered 503.</summary>
    [Range(1, 1_000_000)]
    public int RealtimeMaxSubscribers { get; set; } = DefaultMaxSubscribers;

    /// <summary>How often the log is read even without a signal: the safety net for a lost PostgreSQL notification.</summary>
    [Range(10, 600_000)]
    public int RealtimePollMilliseconds { get; set; } = DefaultPollMilliseconds;

    /// <summary>
    /// PostgreSQL: how long a missing change id is waited for (a transaction that took its id but has not
    /// committed) before later changes are delivered without it. A change that commits later still arrives.
    /// </summary>
    [Range(10, 600_000)]
    public int RealtimeGapTimeoutMilliseconds { get; set; } = DefaultGapTimeoutMilliseconds;

    public TimeSpan Heartbeat => TimeSpan.FromSeconds(RealtimeHeartbeatSeconds);

    public TimeSpan Poll => TimeSpan.FromMilliseconds(RealtimePollMilliseconds);

    public TimeSpan GapTimeout => TimeSpan.FromMilliseconds(RealtimeGapTimeoutMilliseconds);

    public TimeSpan LogWindow => TimeSpan.FromMinutes(RealtimeLogMinutes);
}

[OptionsValidator]
public sealed partial class RealtimeOptionsValidator : IValidateOptions<RealtimeOptions>;
