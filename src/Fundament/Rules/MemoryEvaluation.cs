namespace Fundament.Rules;

/// <summary>How conditions evaluate on stored values in memory, exactly as both databases would or not at all.</summary>
internal static class MemoryEvaluation
{
    // A double holds every integer up to 2^53 exactly; beyond that the databases compare exactly and a double cannot.
    private const long ExactInDouble = 1L << 53;

    public static Truth Of(bool value) => value ? Truth.True : Truth.False;

    public static Truth Not(Truth value) => value switch
    {
        Truth.True => Truth.False,
        Truth.False => Truth.True,
        _ => value,
    };

    /// <summary>Applies a comparison operator (<c>=</c>, <c>&lt;&gt;</c>, <c>&lt;</c> …) to two non-null stored values.</summary>
    public static Truth Compare(object left, string sqlOperator, object right)
    {
        bool ordering = sqlOperator is not ("=" or "<>");
        int? order = Order(left, right, ordering);
        if (order is not { } c)
        {
            return Truth.Undecided;
        }

        return Of(sqlOperator switch
        {
            "=" => c == 0,
            "<>" => c != 0,
            ">" => c > 0,
            ">=" => c >= 0,
            "<" => c < 0,
            _ => c <= 0,
        });
    }

    /// <summary>
    /// The order of two stored values, or null when memory cannot know it: text ordering follows the
    /// database's collation, and values of unrelated types only meet after a schema change.
    /// For text, without <paramref name="ordering"/>, any non-zero result only means "different".
    /// </summary>
    private static int? Order(object left, object right, bool ordering) => (left, right) switch
    {
        (long a, long b) => a.CompareTo(b),
        (double a, double b) => a.CompareTo(b),
        (long a, double b) => Math.Abs(a) <= ExactInDouble ? ((double)a).CompareTo(b) : null,
        (double a, long b) => Math.Abs(b) <= ExactInDouble ? a.CompareTo(b) : null,
        (DateTime a, DateTime b) => a.Ticks.CompareTo(b.Ticks),
        (bool a, bool b) => a.CompareTo(b),
        (string a, string b) when !ordering => string.Equals(a, b, StringComparison.Ordinal) ? 0 : 1,
        _ => null,
    };

    /// <summary>
    /// <c>text LIKE '%pattern%'</c> (SQLite) or <c>ILIKE</c> (PostgreSQL) on non-null values. Both fold ASCII
    /// case the same way; beyond ASCII they differ (SQLite folds none, PostgreSQL per locale), so that is undecided.
    /// </summary>
    public static Truth Contains(string text, string escapedPattern)
    {
        if (!System.Text.Ascii.IsValid(text) || !System.Text.Ascii.IsValid(escapedPattern))
        {
            return Truth.Undecided;
        }

        return Of(text.Contains(Unescape(escapedPattern), StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Any string element of a JSON array equals <paramref name="value"/>; undecided for anything but an array.</summary>
    public static Truth AnyElement(string jsonArray, string value)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(jsonArray);
            if (document.RootElement.ValueKind != System.Text.Json.JsonValueKind.Array)
            {
                return Truth.Undecided;
            }

            foreach (var element in document.RootElement.EnumerateArray())
            {
                if (element.ValueKind == System.Text.Json.JsonValueKind.String && element.ValueEquals(value))
                {
                    return Truth.True;
                }
            }

            return Truth.False;
        }
        catch (System.Text.Json.JsonException)
        {
            return Truth.Undecided;
        }
    }

    // Reverses LikePattern.Escape: a backslash makes the next character literal.
    private static string Unescape(string pattern)
    {
        if (!pattern.Contains('\\', StringComparison.Ordinal))
        {
            return pattern;
        }

        var plain = new System.Text.StringBuilder(pattern.Length);
        for (int i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\' && i + 1 < pattern.Length)
            {
                i++;
            }

            plain.Append(pattern[i]);
        }

        return plain.ToString();
    }
}
