using System.Globalization;
using System.Text.RegularExpressions;

namespace Fundament.Http.RateLimiting;

/// <summary>
/// The shape of one token bucket: it holds at most <see cref="Capacity"/> tokens (the burst), refills
/// at <see cref="TokensPerSecond"/>, and each request takes one token. Written <c>COUNT/PERIOD [burst N]</c>:
/// <c>600/60s burst 100</c> refills 10 tokens a second into a bucket of 100; without <c>burst</c> the
/// bucket holds COUNT, so <c>30/60s</c> allows 30 at once and then one every two seconds.
/// </summary>
public sealed partial record BucketPolicy(int Capacity, double TokensPerSecond)
{
    public const int MaxCount = 1_000_000;
    private static readonly TimeSpan MaxPeriod = TimeSpan.FromDays(1);

    /// <summary>
    /// Seconds for an empty bucket to fill again, the <c>w</c> of <c>RateLimit-Policy</c>: a client that
    /// spreads <c>q</c> requests over <c>w</c> seconds runs at exactly the refill rate.
    /// </summary>
    public int WindowSeconds => (int)Math.Clamp(CeilingSeconds(Capacity / TokensPerSecond), 1, int.MaxValue);

    /// <summary>Rounds seconds up, forgiving the last bits of floating-point noise (12.000000000000002 is 12).</summary>
    public static double CeilingSeconds(double seconds) => Math.Ceiling(seconds - 1e-9);

    /// <summary>Parses <c>COUNT/PERIOD [burst N]</c>, where PERIOD is an optional number and a unit (ms, s, m, h).</summary>
    public static bool TryParse(string text, out BucketPolicy policy, out string error)
    {
        policy = null!;
        var match = Syntax().Match(text);
        if (!match.Success)
        {
            error = $"'{text.Trim()}' is not COUNT/PERIOD [burst N], for example 600/60s burst 100";
            return false;
        }

        if (!int.TryParse(match.Groups["count"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count is < 1 or > MaxCount)
        {
            error = $"'{text.Trim()}': the count must be 1 to {MaxCount}";
            return false;
        }

        int capacity = count;
        if (match.Groups["burst"].Success &&
            (!int.TryParse(match.Groups["burst"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out capacity) || capacity is < 1 or > MaxCount))
        {
            error = $"'{text.Trim()}': the burst must be 1 to {MaxCount}";
            return false;
        }

        long amount = 1;
        if (match.Groups["amount"].Length > 0 &&
            !long.TryParse(match.Groups["amount"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out amount))
        {
            amount = long.MaxValue;
        }

        var period = match.Groups["unit"].Value.ToLowerInvariant() switch
        {
            "ms" => TimeSpan.FromMilliseconds(Math.Min(amount, (long)MaxPeriod.TotalMilliseconds + 1)),
            "s" => TimeSpan.FromSeconds(Math.Min(amount, (long)MaxPeriod.TotalSeconds + 1)),
            "m" => TimeSpan.FromMinutes(Math.Min(amount, (long)MaxPeriod.TotalMinutes + 1)),
            _ => TimeSpan.FromHours(Math.Min(amount, (long)MaxPeriod.TotalHours + 1)),
        };
        if (period <= TimeSpan.Zero || period > MaxPeriod)
        {
            error = $"'{text.Trim()}': the period must be more than 0 and at most 24h";
            return false;
        }

        policy = new BucketPolicy(capacity, count / period.TotalSeconds);
        error = string.Empty;
        return true;
    }

    [GeneratedRegex(@"^\s*(?<count>\d+)\s*/\s*(?<amount>\d*)\s*(?<unit>ms|s|m|h)\s*(?:burst\s+(?<burst>\d+)\s*)?$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Syntax();
}
