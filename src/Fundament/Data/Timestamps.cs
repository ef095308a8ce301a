using System.Globalization;

namespace Fundament.Data;

/// <summary>
/// The one textual form of instants on the wire: ISO-8601 in UTC with microseconds
/// (<c>2026-01-02T03:04:05.123456Z</c>), the precision both SQLite text and PostgreSQL timestamptz keep.
/// </summary>
/// <remarks>
/// Every record write and read formats or parses a few of these, so the fixed form is written and read by hand:
/// the framework's custom-format path cost a create about 2% of its CPU. <see cref="Format"/> describes the same form.
/// </remarks>
public static class Timestamps
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    /// <summary>Characters in the form.</summary>
    public const int Length = 27;

    public static string FormatValue(DateTime utc) => string.Create(Length, utc, static (span, value) => Write(value, span));

    /// <summary>Writes <paramref name="utc"/> in the form into the first <see cref="Length"/> characters of <paramref name="destination"/>.</summary>
    public static void Write(DateTime utc, Span<char> destination)
    {
        var (year, month, day) = utc;
        long timeOfDay = utc.Ticks % TimeSpan.TicksPerDay;
        var text = destination[..Length];
        Digits(text, 0, year, 4);
        text[4] = '-';
        Digits(text, 5, month, 2);
        text[7] = '-';
        Digits(text, 8, day, 2);
        text[10] = 'T';
        Digits(text, 11, (int)(timeOfDay / TimeSpan.TicksPerHour), 2);
        text[13] = ':';
        Digits(text, 14, (int)(timeOfDay / TimeSpan.TicksPerMinute % 60), 2);
        text[16] = ':';
        Digits(text, 17, (int)(timeOfDay / TimeSpan.TicksPerSecond % 60), 2);
        text[19] = '.';
        Digits(text, 20, (int)(timeOfDay % TimeSpan.TicksPerSecond / 10), 6);
        text[26] = 'Z';
    }

    /// <summary>Reads the exact form (as stored); false for anything else, which callers then parse the general way.</summary>
    public static bool TryReadExact(ReadOnlySpan<char> text, out DateTime utc)
    {
        utc = default;
        if (text.Length != Length || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':'
            || text[19] != '.' || text[26] != 'Z'
            || !TryDigits(text, 0, 4, out int year) || !TryDigits(text, 5, 2, out int month) || !TryDigits(text, 8, 2, out int day)
            || !TryDigits(text, 11, 2, out int hour) || !TryDigits(text, 14, 2, out int minute) || !TryDigits(text, 17, 2, out int second)
            || !TryDigits(text, 20, 6, out int microseconds)
            || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        utc = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).AddTicks(microseconds * 10L);
        return true;
    }

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

    private static void Digits(Span<char> text, int start, int value, int count)
    {
        for (int i = start + count - 1; i >= start; i--)
        {
            text[i] = (char)('0' + (value % 10));
            value /= 10;
        }
    }

    private static bool TryDigits(ReadOnlySpan<char> text, int start, int count, out int value)
    {
        value = 0;
        foreach (char c in text.Slice(start, count))
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
