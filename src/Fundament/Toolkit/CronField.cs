using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace Fundament.Toolkit;

/// <summary>One of the five cron fields: its range, its names, and the parser that turns its text into a bitmask.</summary>
internal sealed class CronField
{
    public static readonly CronField Minute = new("minute", 0, 59, []);
    public static readonly CronField Hour = new("hour", 0, 23, []);
    public static readonly CronField DayOfMonth = new("day-of-month", 1, 31, []);
    public static readonly CronField Month = new("month", 1, 12,
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]);

    // 7 is a second spelling of Sunday; CronExpression folds bit 7 onto bit 0 after parsing.
    public static readonly CronField DayOfWeek = new("day-of-week", 0, 7, ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]);

    // _names[i] stands for the value Min + i (JAN = 1, SUN = 0).
    private readonly string[] _names;

    private CronField(string name, int min, int max, string[] names)
    {
        Name = name;
        Min = min;
        Max = max;
        _names = names;
    }

    public string Name { get; }

    public int Min { get; }

    public int Max { get; }

    /// <summary>Returns the lowest set bit at or above <paramref name="from"/>, or -1 when there is none.</summary>
    public static int NextBit(ulong mask, int from)
    {
        ulong rest = from >= 64 ? 0 : mask & (ulong.MaxValue << from);
        return rest == 0 ? -1 : BitOperations.TrailingZeroCount(rest);
    }

    /// <summary>Parses a comma-separated list of <c>*</c>, <c>a</c>, <c>a-b</c>, each optionally followed by <c>/step</c>.</summary>
    public bool TryParse(string text, out ulong mask, [NotNullWhen(false)] out string? error)
    {
        mask = 0;
        foreach (string part in text.Split(','))
        {
            if (part.Length == 0)
                return Fail($"empty item in list '{text}'", out error);
            if (!TryParsePart(part, ref mask, out error))
                return false;
        }

        error = null;
        return true;
    }

    private bool TryParsePart(string part, ref ulong mask, [NotNullWhen(false)] out string? error)
    {
        string range = part;
        int step = 1;
        int slash = part.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            range = part[..slash];
            string stepText = part[(slash + 1)..];
            int width = Max - Min + 1;
            if (!TryDigits(stepText, out step))
                return Fail($"step '{stepText}' in '{part}' is not a number", out error);
            if (step < 1 || step > width)
                return Fail($"step in '{part}' must be between 1 and {width}", out error);
        }

        int low, high;
        if (range == "*")
        {
            (low, high) = (Min, Max);
        }
        else if (range.IndexOf('-', StringComparison.Ordinal) is var dash and >= 0)
        {
            if (!TryValue(range[..dash], part, out low, out error) || !TryValue(range[(dash + 1)..], part, out high, out error))
                return false;
            if (low > high)
                return Fail($"range '{range}' runs backwards", out error);
        }
        else
        {
            if (!TryValue(range, part, out low, out error))
                return false;

            // "a/n" means "from a to the end of the field, every n", as robfig/cron and Quartz read it.
            high = slash >= 0 ? Max : low;
        }

        for (int value = low; value <= high; value += step)
            mask |= 1UL << value;
        error = null;
        return true;
    }

    private bool TryValue(string token, string part, out int value, [NotNullWhen(false)] out string? error)
    {
        if (token.Length == 0)
            return Fail($"'{part}' is missing a value", out error, out value);
        if (TryDigits(token, out value))
        {
            return value >= Min && value <= Max
                ? Succeed(out error)
                : Fail($"'{token}' is outside {Min}-{Max}", out error);
        }

        int index = Array.FindIndex(_names, name => name.Equals(token, StringComparison.OrdinalIgnoreCase));
        if (index >= 0)
        {
            value = Min + index;
            return Succeed(out error);
        }

        return _names.Length == 0
            ? Fail($"'{token}' is not a number", out error)
            : Fail($"'{token}' is neither a number nor a name ({_names[0]}-{_names[^1]})", out error);
    }

    // Digits only: no sign, no spaces. Long runs clamp at 1000 so they are reported as out of range, not overflow.
    private static bool TryDigits(string token, out int value)
    {
        value = 0;
        if (token.Length == 0)
            return false;
        foreach (char c in token)
        {
            if (!char.IsAsciiDigit(c))
                return false;
            value = Math.Min(value * 10 + (c - '0'), 1000);
        }

        return true;
    }

    private static bool Succeed(out string? error)
    {
        error = null;
        return true;
    }

    private bool Fail(string problem, out string error)
    {
        error = $"{Name} field: {problem}";
        return false;
    }

    private bool Fail(string problem, out string error, out int value)
    {
        value = 0;
        return Fail(problem, out error);
    }
}
