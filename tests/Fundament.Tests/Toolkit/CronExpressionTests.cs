using System.Globalization;
using Fundament.Toolkit;

namespace Fundament.Tests.Toolkit;

// Expected instants are worked out by hand from the calendar and the zones' 2025 transitions:
// Europe/Amsterdam  springs 2025-03-30 02:00 CET -> 03:00 CEST (01:00Z); falls 2025-10-26 03:00 CEST -> 02:00 CET (01:00Z).
// America/New_York  springs 2025-03-09 02:00 EST -> 03:00 EDT (07:00Z); falls 2025-11-02 02:00 EDT -> 01:00 EST (06:00Z).
public sealed class CronExpressionTests
{
    [Theory]
    [InlineData("* * * * *")]
    [InlineData("0 0 1 1 *")]
    [InlineData("59 23 31 12 7")]
    [InlineData("0-59 0-23 1-31 1-12 0-7")]
    [InlineData("1,2,3 4,5 6,7 8,9 1,2")]
    [InlineData("*/5 */2 */3 */4 */2")]
    [InlineData("1-10/3 8-18/2 1-31/7 1-12/6 1-5/2")]
    [InlineData("5/15 3/6 2/10 2/3 1/2")]
    [InlineData("0 0 * jan-MAR sun,Sat")]
    [InlineData("0 0 * Jan,jul,DEC mon-fri")]
    [InlineData("0,*/20 1-3,12 1,15-20 JAN-MAR,10 *")]
    [InlineData("  0\t0  *  *  *  ")]
    [InlineData("0 0 31 2 MON")]
    [InlineData("0 0 29 2 *")]
    [InlineData("@yearly")]
    [InlineData("@annually")]
    [InlineData("@MONTHLY")]
    [InlineData("@weekly")]
    [InlineData("@daily")]
    [InlineData("@midnight")]
    [InlineData("@hourly")]
    public void Accepts_every_syntax_form_and_keeps_the_original_text(string text)
    {
        Assert.True(CronExpression.TryParse(text, out CronExpression? cron, out string? error), error);
        Assert.Null(error);
        Assert.Equal(text, cron.ToString());
        Assert.Equal(text, CronExpression.Parse(text).ToString());
    }

    [Theory]
    [InlineData(null, "cron expression is empty")]
    [InlineData("", "cron expression is empty")]
    [InlineData("   ", "cron expression is empty")]
    [InlineData("* * * *", "expected 5 fields")]
    [InlineData("0 * * * * *", "expected 5 fields")]
    [InlineData("@reboot", "unknown macro '@reboot'")]
    [InlineData("@daily 5", "unknown macro")]
    [InlineData("60 * * * *", "minute field: '60' is outside 0-59")]
    [InlineData("99999999999 * * * *", "minute field: '99999999999' is outside 0-59")]
    [InlineData("* 24 * * *", "hour field: '24' is outside 0-23")]
    [InlineData("* * 0 * *", "day-of-month field: '0' is outside 1-31")]
    [InlineData("* * 32 * *", "day-of-month field: '32' is outside 1-31")]
    [InlineData("* * * 0 *", "month field: '0' is outside 1-12")]
    [InlineData("* * * 13 *", "month field: '13' is outside 1-12")]
    [InlineData("* * * * 8", "day-of-week field: '8' is outside 0-7")]
    [InlineData("1,,2 * * * *", "minute field: empty item")]
    [InlineData("1, * * * *", "minute field: empty item")]
    [InlineData("* ,3 * * *", "hour field: empty item")]
    [InlineData("*/0 * * * *", "minute field: step in '*/0' must be between 1 and 60")]
    [InlineData("* 1-5/0 * * *", "hour field: step in '1-5/0' must be between 1 and 24")]
    [InlineData("*/61 * * * *", "minute field: step in '*/61' must be between 1 and 60")]
    [InlineData("*/ * * * *", "minute field: step '' in '*/' is not a number")]
    [InlineData("*/x * * * *", "minute field: step 'x' in '*/x' is not a number")]
    [InlineData("1/2/3 * * * *", "minute field: step '2/3' in '1/2/3' is not a number")]
    [InlineData("5-2 * * * *", "minute field: range '5-2' runs backwards")]
    [InlineData("* * * DEC-JAN *", "month field: range 'DEC-JAN' runs backwards")]
    [InlineData("* * * * SAT-SUN", "day-of-week field: range 'SAT-SUN' runs backwards")]
    [InlineData("-5 * * * *", "minute field: '-5' is missing a value")]
    [InlineData("5- * * * *", "minute field: '5-' is missing a value")]
    [InlineData("/5 * * * *", "minute field: '/5' is missing a value")]
    [InlineData("1-2-3 * * * *", "minute field: '2-3' is not a number")]
    [InlineData("abc * * * *", "minute field: 'abc' is not a number")]
    [InlineData("JAN * * * *", "minute field: 'JAN' is not a number")]
    [InlineData("* * * FOO *", "month field: 'FOO' is neither a number nor a name (JAN-DEC)")]
    [InlineData("* * * * MONDAY", "day-of-week field: 'MONDAY' is neither a number nor a name (SUN-SAT)")]
    [InlineData("* * * * +1", "day-of-week field: '+1' is neither a number nor a name (SUN-SAT)")]
    [InlineData("0 0 30 2 *", "day-of-month field: '30' never occurs in month field '2'")]
    [InlineData("0 0 31 4,6,9,11 *", "day-of-month field: '31' never occurs in month field '4,6,9,11'")]
    [InlineData("0 0 30-31 FEB */2", "day-of-month field: '30-31' never occurs in month field 'FEB'")]
    public void Rejects_malformed_expressions_naming_the_field(string? text, string expectedError)
    {
        Assert.False(CronExpression.TryParse(text, out CronExpression? cron, out string? error));
        Assert.Null(cron);
        Assert.StartsWith(expectedError, error, StringComparison.Ordinal);
        if (text is not null)
            Assert.Equal(error, Assert.Throws<FormatException>(() => CronExpression.Parse(text)).Message);
    }

    [Theory]
    // every minute; strictly after, seconds ignored
    [InlineData("* * * * *", "2025-01-01T00:00:00Z", "2025-01-01T00:01:00Z")]
    [InlineData("* * * * *", "2025-01-01T00:00:30Z", "2025-01-01T00:01:00Z")]
    [InlineData("* * * * *", "2025-01-01T23:59:59Z", "2025-01-02T00:00:00Z")]
    // steps, ranges, lists
    [InlineData("*/15 * * * *", "2025-01-01T10:07:00Z", "2025-01-01T10:15:00Z")]
    [InlineData("*/15 * * * *", "2025-01-01T10:45:00Z", "2025-01-01T11:00:00Z")]
    [InlineData("10-30/10 * * * *", "2025-01-01T10:30:00Z", "2025-01-01T11:10:00Z")]
    [InlineData("45/5 * * * *", "2025-01-01T10:50:00Z", "2025-01-01T10:55:00Z")]
    [InlineData("45/5 * * * *", "2025-01-01T10:55:00Z", "2025-01-01T11:45:00Z")]
    [InlineData("0 9-17 * * *", "2025-01-01T17:00:00Z", "2025-01-02T09:00:00Z")]
    [InlineData("0 9-17 * * *", "2025-01-01T06:00:00Z", "2025-01-01T09:00:00Z")]
    [InlineData("5,35 * * * *", "2025-01-01T10:05:00Z", "2025-01-01T10:35:00Z")]
    [InlineData("0 8-18/4 * * *", "2025-01-01T12:00:00Z", "2025-01-01T16:00:00Z")]
    // names; 2025-01-04 is a Saturday, 2025-07-01 a Tuesday
    [InlineData("0 0 * JAN,jul *", "2025-02-01T00:00:00Z", "2025-07-01T00:00:00Z")]
    [InlineData("0 12 * * mon-fri", "2025-01-04T00:00:00Z", "2025-01-06T12:00:00Z")]
    [InlineData("0 0 * * SUN", "2025-07-01T00:00:00Z", "2025-07-06T00:00:00Z")]
    [InlineData("0 0 * * 0", "2025-07-01T00:00:00Z", "2025-07-06T00:00:00Z")]
    [InlineData("0 0 * * 7", "2025-07-01T00:00:00Z", "2025-07-06T00:00:00Z")]
    [InlineData("0 0 * * 5-7", "2025-07-01T00:00:00Z", "2025-07-04T00:00:00Z")]
    // both day fields restricted: either matches. July 2025: Fridays 4, 11, 18; the 13th is a Sunday.
    [InlineData("0 0 13 * FRI", "2025-07-01T00:00:00Z", "2025-07-04T00:00:00Z")]
    [InlineData("0 0 13 * FRI", "2025-07-11T00:00:00Z", "2025-07-13T00:00:00Z")]
    [InlineData("0 0 13 * FRI", "2025-07-13T00:00:00Z", "2025-07-18T00:00:00Z")]
    [InlineData("0 0 31 2 MON", "2025-02-01T00:00:00Z", "2025-02-03T00:00:00Z")]
    // a '*/n' day field counts as '*' (Vixie): odd days that are Mondays; July 2025 Mondays are 7, 14, 21, 28
    [InlineData("0 0 */2 * MON", "2025-07-01T00:00:00Z", "2025-07-07T00:00:00Z")]
    [InlineData("0 0 */2 * MON", "2025-07-07T00:00:00Z", "2025-07-21T00:00:00Z")]
    // last days of months
    [InlineData("0 0 31 * *", "2025-04-01T00:00:00Z", "2025-05-31T00:00:00Z")]
    [InlineData("0 0 30 * *", "2025-02-01T00:00:00Z", "2025-03-30T00:00:00Z")]
    [InlineData("0 0 28-31 2 *", "2025-02-28T00:00:00Z", "2026-02-28T00:00:00Z")]
    [InlineData("0 0 28-31 2 *", "2024-02-28T00:00:00Z", "2024-02-29T00:00:00Z")]
    // leap day: 2100 is not a leap year, so after 2096 comes 2104
    [InlineData("0 0 29 2 *", "2025-01-01T00:00:00Z", "2028-02-29T00:00:00Z")]
    [InlineData("0 0 29 2 *", "2096-03-01T00:00:00Z", "2104-02-29T00:00:00Z")]
    // year rollover
    [InlineData("0 0 1 1 *", "2025-12-31T23:59:00Z", "2026-01-01T00:00:00Z")]
    [InlineData("59 23 31 12 *", "2025-12-31T23:59:00Z", "2026-12-31T23:59:00Z")]
    [InlineData("*/10 * * * *", "2025-12-31T23:55:00Z", "2026-01-01T00:00:00Z")]
    // macros; 2025-01-01 is a Wednesday, so @weekly runs on Sunday the 5th
    [InlineData("@hourly", "2025-01-01T10:00:00Z", "2025-01-01T11:00:00Z")]
    [InlineData("@daily", "2025-01-01T10:00:00Z", "2025-01-02T00:00:00Z")]
    [InlineData("@midnight", "2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z")]
    [InlineData("@weekly", "2025-01-01T00:00:00Z", "2025-01-05T00:00:00Z")]
    [InlineData("@monthly", "2025-01-15T00:00:00Z", "2025-02-01T00:00:00Z")]
    [InlineData("@yearly", "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z")]
    [InlineData("@annually", "2025-06-01T00:00:00Z", "2026-01-01T00:00:00Z")]
    public void Finds_the_next_occurrence_in_UTC(string text, string after, string expected) =>
        AssertNext(text, "UTC", after, expected);

    [Theory]
    // fixed time inside the spring-forward gap runs at the first instant after it (03:00 CEST)
    [InlineData("30 2 * * *", "2025-03-29T12:00:00Z", "2025-03-30T01:00:00Z")]
    [InlineData("30 2 * * *", "2025-03-30T01:00:00Z", "2025-03-31T00:30:00Z")]
    [InlineData("0 3 * * *", "2025-03-29T12:00:00Z", "2025-03-30T01:00:00Z")]
    // every matching time swallowed by the gap collapses into that one run
    [InlineData("*/15 2 * * *", "2025-03-29T23:00:00Z", "2025-03-30T01:00:00Z")]
    [InlineData("*/15 2 * * *", "2025-03-30T01:00:00Z", "2025-03-31T00:00:00Z")]
    // hourly jobs follow real hours: 02:30 does not exist, 01:30 CET (00:30Z) is followed by 03:30 CEST (01:30Z)
    [InlineData("30 * * * *", "2025-03-30T00:30:00Z", "2025-03-30T01:30:00Z")]
    [InlineData("* * * * *", "2025-03-30T00:59:00Z", "2025-03-30T01:00:00Z")]
    // fixed time in the fall-back overlap runs once, at the first 02:30 (CEST); the next run is the next day
    [InlineData("30 2 * * *", "2025-10-25T12:00:00Z", "2025-10-26T00:30:00Z")]
    [InlineData("30 2 * * *", "2025-10-26T00:30:00Z", "2025-10-27T01:30:00Z")]
    // hourly jobs run in both 02:xx hours: 02:30 CEST (00:30Z), 02:30 CET (01:30Z), 03:30 CET (02:30Z)
    [InlineData("30 * * * *", "2025-10-25T23:45:00Z", "2025-10-26T00:30:00Z")]
    [InlineData("30 * * * *", "2025-10-26T00:30:00Z", "2025-10-26T01:30:00Z")]
    [InlineData("30 * * * *", "2025-10-26T00:45:00Z", "2025-10-26T01:30:00Z")]
    [InlineData("30 * * * *", "2025-10-26T01:30:00Z", "2025-10-26T02:30:00Z")]
    // from 02:50 CEST the next full hour is the repeated 02:00 CET, a wall time already passed once
    [InlineData("0 * * * *", "2025-10-26T00:50:00Z", "2025-10-26T01:00:00Z")]
    [InlineData("*/20 * * * *", "2025-10-26T00:50:00Z", "2025-10-26T01:00:00Z")]
    [InlineData("0 */2 * * *", "2025-10-25T23:30:00Z", "2025-10-26T00:00:00Z")]
    [InlineData("0 */2 * * *", "2025-10-26T00:00:00Z", "2025-10-26T01:00:00Z")]
    [InlineData("0 */2 * * *", "2025-10-26T01:00:00Z", "2025-10-26T03:00:00Z")]
    // outside transitions the offset is simply applied: 09:00 CET is 08:00Z, 09:00 CEST is 07:00Z
    [InlineData("0 9 * * *", "2025-01-01T00:00:00Z", "2025-01-01T08:00:00Z")]
    [InlineData("0 9 * * *", "2025-07-01T00:00:00Z", "2025-07-01T07:00:00Z")]
    public void Handles_daylight_saving_in_Amsterdam(string text, string after, string expected) =>
        AssertNext(text, "Europe/Amsterdam", after, expected);

    [Theory]
    // 02:30 does not exist on 2025-03-09: runs at 03:00 EDT (07:00Z)
    [InlineData("30 2 * * *", "2025-03-08T12:00:00Z", "2025-03-09T07:00:00Z")]
    [InlineData("30 2 * * *", "2025-03-09T07:00:00Z", "2025-03-10T06:30:00Z")]
    [InlineData("* * * * *", "2025-03-09T06:59:00Z", "2025-03-09T07:00:00Z")]
    [InlineData("30 * * * *", "2025-03-09T06:30:00Z", "2025-03-09T07:30:00Z")]
    // 01:00 happens twice on 2025-11-02: a fixed job takes the first (EDT, 05:00Z), then 01:00 EST the next day
    [InlineData("0 1 * * *", "2025-11-01T12:00:00Z", "2025-11-02T05:00:00Z")]
    [InlineData("0 1 * * *", "2025-11-02T05:00:00Z", "2025-11-03T06:00:00Z")]
    [InlineData("30 1 * * *", "2025-11-02T05:45:00Z", "2025-11-03T06:30:00Z")]
    // hourly jobs run in both 01:xx hours
    [InlineData("30 * * * *", "2025-11-02T05:30:00Z", "2025-11-02T06:30:00Z")]
    [InlineData("* * * * *", "2025-11-02T05:59:00Z", "2025-11-02T06:00:00Z")]
    [InlineData("0 * * * *", "2025-11-02T05:00:00Z", "2025-11-02T06:00:00Z")]
    [InlineData("0 * * * *", "2025-11-02T06:00:00Z", "2025-11-02T07:00:00Z")]
    // Friday 2025-06-06 10:00 EDT -> Monday 09:00 EDT
    [InlineData("0 9 * * 1-5", "2025-06-06T14:00:00Z", "2025-06-09T13:00:00Z")]
    public void Handles_daylight_saving_in_New_York(string text, string after, string expected) =>
        AssertNext(text, "America/New_York", after, expected);

    [Fact]
    public void Returns_null_when_no_occurrence_remains_before_the_year_9999()
    {
        // 9996 is the last leap year DateTime can hold.
        var cron = CronExpression.Parse("0 0 29 2 *");
        Assert.Equal(Utc("9996-02-29T00:00:00Z"), cron.NextAfter(Utc("9996-01-01T00:00:00Z"), TimeZoneInfo.Utc));
        Assert.Null(cron.NextAfter(Utc("9996-03-01T00:00:00Z"), TimeZoneInfo.Utc));
    }

    [Fact]
    public void Reads_an_unspecified_kind_as_UTC()
    {
        var after = new DateTime(2025, 1, 1, 10, 7, 0, DateTimeKind.Unspecified);
        DateTime? next = CronExpression.Parse("*/15 * * * *").NextAfter(after, TimeZoneInfo.Utc);
        Assert.Equal(Utc("2025-01-01T10:15:00Z"), next);
    }

    [Theory]
    [InlineData("Europe/Amsterdam")]
    [InlineData("America/New_York")]
    [InlineData("UTC")]
    [InlineData("Asia/Kolkata")]
    public void Finds_IANA_time_zones(string id)
    {
        Assert.True(CronExpression.TryFindTimeZone(id, out TimeZoneInfo zone));
        Assert.Equal(id, zone.Id);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Treats_a_missing_time_zone_as_UTC(string? id)
    {
        Assert.True(CronExpression.TryFindTimeZone(id, out TimeZoneInfo zone));
        Assert.Equal(TimeZoneInfo.Utc, zone);
    }

    [Theory]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("../../../etc/passwd")]
    [InlineData("/etc/localtime")]
    [InlineData("Europe\\Amsterdam")]
    public void Rejects_unknown_or_path_like_time_zones(string id)
    {
        Assert.False(CronExpression.TryFindTimeZone(id, out TimeZoneInfo zone));
        Assert.Equal(TimeZoneInfo.Utc, zone);
    }

    private static void AssertNext(string text, string zoneId, string after, string expected)
    {
        Assert.True(CronExpression.TryFindTimeZone(zoneId, out TimeZoneInfo zone));
        DateTime? next = CronExpression.Parse(text).NextAfter(Utc(after), zone);
        Assert.Equal(Utc(expected), next);
        Assert.Equal(DateTimeKind.Utc, next!.Value.Kind);
    }

    private static DateTime Utc(string iso) =>
        DateTime.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}
