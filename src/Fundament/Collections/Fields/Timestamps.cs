using System.Globalization;

namespace Fundament.Collections.Fields;

/// <summary>
/// The one textual form of instants on the wire: ISO-8601 in UTC with microseconds
/// (<c>2026-01-02T03:04:05.123456Z</c>), the precision both SQLite text and PostgreSQL timestamptz keep.
/// </summary>
public static class Timestamps
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    public static string FormatValue(DateTime utc) => utc.ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>Now, truncated to the stored precision so that what is written equals what is read.</summary>
    public static DateTime Now(TimeProvider clock) => Truncate(clock.GetUtcNow().UtcDateTime);

    public static DateTime Truncate(DateTime utc) =>
        new(utc.Ticks - (utc.Ticks % 10), DateTimeKind.Utc);

    /// <summary>Parses an ISO-8601 date or date-time; without an offset, UTC is assumed.</summary>
    public static bool TryParse(string text, out DateTime utc)
    {
        if (text.Length is >= 10 and <= 40 &&
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var parsed) &&
            char.IsAsciiDigit(text[0]))
        {
            utc = Truncate(parsed.UtcDateTime);
            return true;
        }

        utc = default;
        return false;
    }
}
