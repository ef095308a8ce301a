using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace Fundament.Toolkit;

/// <summary>
/// Parses a standard five-field cron expression (<c>minute hour day-of-month month day-of-week</c>) and finds its
/// next occurrence in a time zone. Example: <c>CronExpression.Parse("30 2 * * MON-FRI").NextAfter(now, zone)</c>.
/// </summary>
/// <remarks>
/// <para>Syntax: <c>*</c>, numbers, ranges <c>a-b</c>, lists <c>a,b</c>, steps <c>*/n</c>, <c>a-b/n</c> and
/// <c>a/n</c> (from a to the end of the field); month names JAN-DEC and weekday names SUN-SAT in any case; weekday 0
/// and 7 are both Sunday; the macros @yearly, @annually, @monthly, @weekly, @daily, @midnight and @hourly.</para>
/// <para>Days follow Vixie cron: when both day fields are restricted a day matches if EITHER matches
/// (<c>0 0 13 * FRI</c> runs on every 13th and every Friday). A day field that begins with <c>*</c>, including
/// <c>*/n</c>, counts as unrestricted for this rule, exactly as in Vixie cron and cronie, so
/// <c>0 0 */2 * MON</c> runs on odd-numbered days that are Mondays.</para>
/// <para>Daylight saving time. Wall times are matched in the zone's local time. A job whose hour field is <c>*</c>
/// or has a step (<c>*/2</c>, <c>8-18/2</c>) runs "every so many hours" and follows real hours: a wall time skipped
/// by spring-forward does not run, and a wall time repeated by fall-back runs in both occurrences. Every other job
/// runs at a fixed wall-clock time: a wall time inside a spring-forward gap runs at the first instant after the gap
/// (once, however many matching times the gap swallowed), as Vixie cron and cronie make up fixed-time jobs, and a
/// repeated wall time runs once, at its first occurrence.</para>
/// <para>Expressions that can never run because the day of month does not exist in any allowed month
/// (<c>0 0 30 2 *</c>) are rejected by the parser. The search covers one full 400-year Gregorian cycle, after which
/// the calendar repeats, so <see cref="NextAfter"/> returns null only when the next occurrence would lie beyond the
/// year 9998.</para>
/// </remarks>
public sealed class CronExpression
{
    // The Gregorian calendar, weekdays included, repeats every 400 years: no match in one cycle means none ever.
    private const int GregorianCycleYears = 400;

    // Keeps wall time ± any UTC offset inside DateTime's range.
    private const int LastSearchableYear = 9998;

    private static readonly char[] FieldSeparators = [' ', '\t'];

    private static readonly FrozenDictionary<string, string> Macros = new Dictionary<string, string>
    {
        ["@yearly"] = "0 0 1 1 *",
        ["@annually"] = "0 0 1 1 *",
        ["@monthly"] = "0 0 1 * *",
        ["@weekly"] = "0 0 * * 0",
        ["@daily"] = "0 0 * * *",
        ["@midnight"] = "0 0 * * *",
        ["@hourly"] = "0 * * * *",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private readonly string _text;
    private readonly ulong _minutes;
    private readonly ulong _hours;
    private readonly ulong _days;
    private readonly ulong _months;
    private readonly ulong _weekdays;

    // True when either day field begins with '*': then both must match (Vixie's DOM_STAR/DOW_STAR rule).
    private readonly bool _bothDaysMustMatch;

    // True when the hour field is '*' or stepped: such jobs follow real hours across DST changes.
    private readonly bool _followsRealHours;

    private CronExpression(string text, ulong[] masks, bool bothDaysMustMatch, bool followsRealHours)
    {
        _text = text;
        (_minutes, _hours, _days, _months, _weekdays) = (masks[0], masks[1], masks[2], masks[3], masks[4]);
        _bothDaysMustMatch = bothDaysMustMatch;
        _followsRealHours = followsRealHours;
    }

    /// <summary>Parses <paramref name="text"/> or throws a <see cref="FormatException"/> naming the faulty field.</summary>
    public static CronExpression Parse(string text) =>
        TryParse(text, out CronExpression? cron, out string? error) ? cron : throw new FormatException(error);

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says which field is wrong and why.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out CronExpression? cron, [NotNullWhen(false)] out string? error)
    {
        cron = null;
        string[] fields = (text ?? string.Empty).Split(FieldSeparators, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 0)
        {
            error = "cron expression is empty";
            return false;
        }

        if (fields[0].StartsWith('@'))
        {
            if (fields.Length != 1 || !Macros.TryGetValue(fields[0], out string? expansion))
            {
                error = $"unknown macro '{text!.Trim()}'; expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly";
                return false;
            }

            fields = expansion.Split(' ');
        }

        if (fields.Length != 5)
        {
            error = $"expected 5 fields (minute hour day-of-month month day-of-week) but found {fields.Length}";
            return false;
        }

        CronField[] kinds = [CronField.Minute, CronField.Hour, CronField.DayOfMonth, CronField.Month, CronField.DayOfWeek];
        var masks = new ulong[5];
        for (int i = 0; i < 5; i++)
        {
            if (!kinds[i].TryParse(fields[i], out masks[i], out error))
                return false;
        }

        const ulong Sunday7 = 1UL << 7;
        if ((masks[4] & Sunday7) != 0)
            masks[4] = (masks[4] & ~Sunday7) | 1;

        bool bothDaysMustMatch = fields[2][0] == '*' || fields[4][0] == '*';
        if (bothDaysMustMatch && !SomeMonthHasADay(masks[2], masks[3]))
        {
            error = $"day-of-month field: '{fields[2]}' never occurs in month field '{fields[3]}'";
            return false;
        }

        bool followsRealHours = fields[1][0] == '*' || fields[1].Contains('/', StringComparison.Ordinal);
        cron = new CronExpression(text!, masks, bothDaysMustMatch, followsRealHours);
        error = null;
        return true;
    }

    /// <summary>
    /// Finds a time zone by IANA id (<c>Europe/Amsterdam</c>, <c>America/New_York</c>, <c>UTC</c>); null or empty
    /// means UTC. Returns false for an unknown id, and <paramref name="zone"/> is then UTC, so check the result.
    /// </summary>
    public static bool TryFindTimeZone(string? id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (string.IsNullOrWhiteSpace(id))
            return true;

        // The id comes from users and .NET reads it as a path under /usr/share/zoneinfo: refuse anything path-like.
        if (id.StartsWith('/') || id.Contains("..", StringComparison.Ordinal) || id.Contains('\\', StringComparison.Ordinal))
            return false;
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(id, out TimeZoneInfo? found))
            return false;

        zone = found;
        return true;
    }

    /// <summary>
    /// Returns the first occurrence strictly after <paramref name="utcAfter"/>, matched in the wall-clock time of
    /// <paramref name="zone"/> and returned in UTC (see the class remarks for DST), or null if there is none before
    /// the year 9999. An unspecified <see cref="DateTime.Kind"/> is read as UTC.
    /// </summary>
    public DateTime? NextAfter(DateTime utcAfter, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        DateTime after = utcAfter.Kind == DateTimeKind.Local
            ? utcAfter.ToUniversalTime()
            : DateTime.SpecifyKind(utcAfter, DateTimeKind.Utc);
        DateTime wall = TimeZoneInfo.ConvertTimeFromUtc(after, zone);

        // Inside a fall-back overlap an earlier wall time's second occurrence may still lie ahead, so start the
        // scan one overlap-length earlier; instants at or before 'after' are filtered out below.
        if (zone.IsAmbiguousTime(wall))
            wall -= Spread(zone.GetAmbiguousTimeOffsets(wall));
        wall = new DateTime(wall.Ticks - wall.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Unspecified);

        // Each wall time's first instant never decreases as wall time advances, and second instants (repeated hours
        // only) come after their own first; so once a first instant passes 'after', nothing later can beat it.
        int lastYear = Math.Min(LastSearchableYear, wall.Year + GregorianCycleYears);
        DateTime? best = null;
        while (NextWallTime(wall, lastYear) is { } match)
        {
            (DateTime? first, DateTime? second) = Resolve(match, zone);
            if (second > after && (best is null || second < best))
                best = second;
            if (first > after)
                return best < first ? best : first;
            wall = match.AddMinutes(1);
        }

        return best;
    }

    /// <summary>Returns the expression exactly as it was parsed.</summary>
    public override string ToString() => _text;

    // Returns the first wall time at or after 'from' (whole minutes) that matches every field, or null past lastYear.
    private DateTime? NextWallTime(DateTime from, int lastYear)
    {
        int year = from.Year, month = from.Month, day = from.Day, hour = from.Hour, minute = from.Minute;
        while (year <= lastYear)
        {
            int nextMonth = CronField.NextBit(_months, month);
            if (nextMonth < 0)
            {
                (year, month, day, hour, minute) = (year + 1, 1, 1, 0, 0);
                continue;
            }

            if (nextMonth != month)
                (month, day, hour, minute) = (nextMonth, 1, 0, 0);

            int nextDay = CronField.NextBit(DaysOf(year, month), day);
            if (nextDay < 0)
            {
                // Month 13 finds no bit in _months and rolls the year above.
                (month, day, hour, minute) = (month + 1, 1, 0, 0);
                continue;
            }

            if (nextDay != day)
                (day, hour, minute) = (nextDay, 0, 0);

            int nextHour = CronField.NextBit(_hours, hour);
            if (nextHour < 0)
            {
                (day, hour, minute) = (day + 1, 0, 0);
                continue;
            }

            if (nextHour != hour)
                (hour, minute) = (nextHour, 0);

            int nextMinute = CronField.NextBit(_minutes, minute);
            if (nextMinute < 0)
            {
                (hour, minute) = (hour + 1, 0);
                continue;
            }

            return new DateTime(year, month, day, hour, nextMinute, 0, DateTimeKind.Unspecified);
        }

        return null;
    }

    // Bit d set = day d of this month matches, combining day-of-month and day-of-week by Vixie's rule.
    private ulong DaysOf(int year, int month)
    {
        int length = DateTime.DaysInMonth(year, month);
        int firstWeekday = (int)new DateTime(year, month, 1).DayOfWeek;

        // Rotate the weekday mask so bit i means "day i+1", then repeat it every 7 bits for the rest of the month.
        ulong week = ((_weekdays >> firstWeekday) | (_weekdays << (7 - firstWeekday))) & 0x7F;
        ulong byWeekday = week * 0x1020_4081UL << 1;
        ulong days = _bothDaysMustMatch ? _days & byWeekday : _days | byWeekday;
        return days & (((1UL << length) - 1) << 1);
    }

    // Maps one matching wall time to the instants it runs at, by the DST rules in the class remarks.
    private (DateTime? First, DateTime? Second) Resolve(DateTime wall, TimeZoneInfo zone)
    {
        if (zone.IsInvalidTime(wall))
            return _followsRealHours ? (null, null) : (TimeZoneInfo.ConvertTimeToUtc(GapEnd(wall, zone), zone), null);

        if (zone.IsAmbiguousTime(wall))
        {
            // The first occurrence is the one before the clocks went back, i.e. under the larger offset.
            TimeSpan[] offsets = zone.GetAmbiguousTimeOffsets(wall);
            DateTime first = AsUtc(wall - offsets.Max());
            return (first, _followsRealHours ? AsUtc(wall - offsets.Min()) : null);
        }

        return (AsUtc(wall - zone.GetUtcOffset(wall)), null);
    }

    // A gap is one run of invalid wall times: double the distance until a valid minute, then bisect for the first.
    private static DateTime GapEnd(DateTime wall, TimeZoneInfo zone)
    {
        int invalid = 0, valid = 1;
        while (zone.IsInvalidTime(wall.AddMinutes(valid)))
            (invalid, valid) = (valid, valid * 2);
        while (valid - invalid > 1)
        {
            int middle = (invalid + valid) / 2;
            if (zone.IsInvalidTime(wall.AddMinutes(middle)))
                invalid = middle;
            else
                valid = middle;
        }

        return wall.AddMinutes(valid);
    }

    private static bool SomeMonthHasADay(ulong days, ulong months)
    {
        for (int month = 1; month <= 12; month++)
        {
            // 2000 is a leap year, so February counts its 29th.
            ulong daysInMonth = ((1UL << DateTime.DaysInMonth(2000, month)) - 1) << 1;
            if ((months & (1UL << month)) != 0 && (days & daysInMonth) != 0)
                return true;
        }

        return false;
    }

    private static TimeSpan Spread(TimeSpan[] offsets) => offsets.Max() - offsets.Min();

    private static DateTime AsUtc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);
}
