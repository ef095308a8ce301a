using System.Globalization;
using Fundament.Data;

namespace Fundament.Tests.Data;

/// <summary>The wire and stored form of instants, written and read by hand, must match the framework's reading of <see cref="Timestamps.Format"/>.</summary>
public sealed class TimestampsTests
{
    public static TheoryData<DateTime> Instants()
    {
        var data = new TheoryData<DateTime>
        {
            DateTime.MinValue,
            new DateTime(9999, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(9_999_999),
            new DateTime(2024, 2, 29, 0, 0, 0, DateTimeKind.Utc),
            new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1_234_567),
            new DateTime(2026, 12, 7, 12, 0, 0, DateTimeKind.Utc).AddTicks(9),
        };
        var random = new Random(20261207);
        for (int i = 0; i < 200; i++)
        {
            data.Add(new DateTime(random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Instants))]
    public void Writes_what_the_custom_format_writes_and_reads_it_back_at_microseconds(DateTime instant)
    {
        string expected = instant.ToString(Timestamps.Format, CultureInfo.InvariantCulture);

        string text = Timestamps.FormatValue(instant);

        Assert.Equal(expected, text);
        Assert.True(Timestamps.TryReadExact(text, out var read));
        Assert.Equal(DateTimeKind.Utc, read.Kind);
        Assert.Equal(Timestamps.Truncate(instant), read);
        Assert.Equal(DateTime.ParseExact(text, Timestamps.Format, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), read);
    }

    [Theory]
    [InlineData("")]
    [InlineData("2026-01-02T03:04:05.123456")]
    [InlineData("2026-01-02T03:04:05.1234567Z")]
    [InlineData("2026-01-02 03:04:05.123456Z")]
    [InlineData("2026/01/02T03:04:05.123456Z")]
    [InlineData("2026-01-02T03:04:05,123456Z")]
    [InlineData("2026-01-02T03:04:05.123456+")]
    [InlineData("20a6-01-02T03:04:05.123456Z")]
    [InlineData("2026-01-02T03:04:05.12345xZ")]
    [InlineData("0000-01-02T03:04:05.123456Z")]
    [InlineData("2026-13-02T03:04:05.123456Z")]
    [InlineData("2026-00-02T03:04:05.123456Z")]
    [InlineData("2025-02-29T03:04:05.123456Z")]
    [InlineData("2026-04-31T03:04:05.123456Z")]
    [InlineData("2026-01-00T03:04:05.123456Z")]
    [InlineData("2026-01-02T24:00:00.000000Z")]
    [InlineData("2026-01-02T03:60:05.123456Z")]
    [InlineData("2026-01-02T03:04:60.123456Z")]
    [InlineData("２026-01-02T03:04:05.123456Z")]
    public void Refuses_anything_but_the_exact_form(string text)
    {
        Assert.False(Timestamps.TryReadExact(text, out var read));
        Assert.Equal(default, read);
    }
}
