namespace Fundament.Jobs;

/// <summary>
/// Exponential backoff with full jitter: the wait before retry <c>n</c> is uniformly random in
/// <c>[0, min(max, initial · 2^(n-1))]</c>, which spreads retries of jobs that failed together
/// (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
/// </summary>
public sealed record Backoff(long InitialMs, long MaxMs)
{
    public const long DefaultInitialMs = 1000;
    public const long DefaultMaxMs = 60 * 60 * 1000;
    public const long LimitMs = 7L * 24 * 60 * 60 * 1000;

    public static readonly Backoff Default = new(DefaultInitialMs, DefaultMaxMs);

    /// <summary>The largest wait after failed attempt <paramref name="attempt"/> (1-based).</summary>
    public long CeilingMs(int attempt)
    {
        int doublings = Math.Clamp(attempt - 1, 0, 62);
        long ceiling = InitialMs;
        for (int i = 0; i < doublings && ceiling < MaxMs; i++)
        {
            ceiling *= 2;
        }

        return Math.Min(ceiling, MaxMs);
    }

    /// <summary>A random wait after failed attempt <paramref name="attempt"/>.</summary>
    public TimeSpan Delay(int attempt, Random random) => TimeSpan.FromMilliseconds(random.NextInt64(0, CeilingMs(attempt) + 1));
}
