namespace Fundament.Webhooks;

/// <summary>The replay window shared by the timestamped schemes (Standard Webhooks, Stripe).</summary>
internal static class WebhookTimestamp
{
    /// <summary>
    /// Fifteen digits reach far past year 9999 yet keep <c>now - timestamp</c> clear of overflow, so a
    /// longer value can only be garbage.
    /// </summary>
    private const int MaxDigits = 15;

    /// <summary>
    /// Accepts only ASCII digits — no sign, spaces or exponent — because the text itself is part of the
    /// signed content and must mean exactly one number.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out long seconds)
    {
        seconds = 0;
        if (text.IsEmpty || text.Length > MaxDigits)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            seconds = (seconds * 10) + (c - '0');
        }

        return true;
    }

    /// <summary>
    /// Rejects a timestamp more than <paramref name="tolerance"/> away from <paramref name="now"/> in either
    /// direction; exactly at the edge still passes, as in the reference libraries.
    /// </summary>
    public static SignatureStatus Check(long seconds, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tolerance, TimeSpan.Zero);
        long age = now.ToUnixTimeSeconds() - seconds;
        long limit = (long)tolerance.TotalSeconds;
        return age > limit ? SignatureStatus.TimestampTooOld
            : -age > limit ? SignatureStatus.TimestampTooNew
            : SignatureStatus.Valid;
    }
}
