namespace Fundament.Jobs;

/// <summary>
/// Wakes the local worker when a job becomes due in this process (enqueued, replayed, or backed off
/// until a known time), so a job does not wait for the next poll. Other nodes find it by polling.
/// </summary>
public sealed class JobSignal(TimeProvider clock)
{
    private readonly SemaphoreSlim _wake = new(0, 1);
    private long _nextDueTicks = long.MaxValue;

    public void Notify()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: one wake-up serves every notification before it.
        }
    }

    /// <summary>Remembers that a job becomes due at <paramref name="utc"/>, so the worker wakes then.</summary>
    public void NotifyAt(DateTime utc)
    {
        long current;
        while (utc.Ticks < (current = Interlocked.Read(ref _nextDueTicks)) &&
               Interlocked.CompareExchange(ref _nextDueTicks, utc.Ticks, current) != current)
        {
        }
    }

    /// <summary>Waits for a notification, the earliest known due time, or <paramref name="poll"/>, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan poll, CancellationToken cancellationToken)
    {
        long due = Interlocked.Read(ref _nextDueTicks);
        var wait = poll;
        if (due != long.MaxValue)
        {
            var untilDue = new DateTime(due, DateTimeKind.Utc) - clock.GetUtcNow().UtcDateTime;
            wait = untilDue <= TimeSpan.Zero ? TimeSpan.Zero : untilDue < poll ? untilDue : poll;
        }

        await _wake.WaitAsync(wait, cancellationToken);
        if (due != long.MaxValue && clock.GetUtcNow().UtcDateTime.Ticks >= due)
        {
            Interlocked.CompareExchange(ref _nextDueTicks, long.MaxValue, due);
        }
    }
}
