using System.Globalization;
using System.Text;

namespace Fundament.Observability;

/// <summary>
/// Names and escaping of the Prometheus text exposition format 0.0.4, mapping OpenTelemetry instrument names
/// and units the way OpenTelemetry's Prometheus compatibility rules do: <c>http.server.request.duration</c> in
/// <c>s</c> becomes <c>http_server_request_duration_seconds</c>, a counter gains <c>_total</c>.
/// </summary>
public static class PrometheusFormat
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public const string Counter = "counter";
    public const string Gauge = "gauge";
    public const string Histogram = "histogram";

    private static readonly Dictionary<string, string> Units = new(StringComparer.Ordinal)
    {
        ["d"] = "days",
        ["h"] = "hours",
        ["min"] = "minutes",
        ["s"] = "seconds",
        ["ms"] = "milliseconds",
        ["us"] = "microseconds",
        ["ns"] = "nanoseconds",
        ["By"] = "bytes",
        ["KiBy"] = "kibibytes",
        ["MiBy"] = "mebibytes",
        ["GiBy"] = "gibibytes",
        ["TiBy"] = "tebibytes",
        ["KBy"] = "kilobytes",
        ["MBy"] = "megabytes",
        ["GBy"] = "gigabytes",
        ["TBy"] = "terabytes",
        ["m"] = "meters",
        ["V"] = "volts",
        ["A"] = "amperes",
        ["J"] = "joules",
        ["W"] = "watts",
        ["g"] = "grams",
        ["Cel"] = "celsius",
        ["Hz"] = "hertz",
        ["%"] = "percent",
    };

    private static readonly Dictionary<string, string> PerUnits = new(StringComparer.Ordinal)
    {
        ["s"] = "second",
        ["m"] = "minute",
        ["h"] = "hour",
        ["d"] = "day",
        ["w"] = "week",
        ["mo"] = "month",
        ["y"] = "year",
    };

    /// <summary>The metric family name for an instrument: sanitised, with its unit and, for counters, <c>_total</c>.</summary>
    public static string MetricName(string instrument, string? unit, string type)
    {
        string name = Sanitize(instrument, allowColon: true);
        string suffix = UnitSuffix(unit, type);
        if (name.EndsWith("_total", StringComparison.Ordinal) && type == Counter)
        {
            name = name[..^6];
        }

        if (suffix.Length > 0 && !name.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            name += "_" + suffix;
        }

        return type == Counter ? name + "_total" : name;
    }

    /// <summary>A label name: letters, digits and underscores, not starting with a digit.</summary>
    public static string LabelName(string key) => Sanitize(key, allowColon: false);

    /// <summary>Escapes a label value: backslash, double quote and line feed.</summary>
    public static void AppendLabelValue(StringBuilder text, string value)
    {
        foreach (char c in value)
        {
            _ = c switch
            {
                '\\' => text.Append(@"\\"),
                '"' => text.Append("\\\""),
                '\n' => text.Append(@"\n"),
                _ => text.Append(c),
            };
        }
    }

    /// <summary>Escapes HELP text: backslash and line feed.</summary>
    public static string EscapeHelp(string help) => help.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);

    public static string FormatValue(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>A tag value as label text: invariant culture, booleans as <c>true</c>/<c>false</c>.</summary>
    public static string LabelText(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string UnitSuffix(string? unit, string type)
    {
        if (string.IsNullOrEmpty(unit))
        {
            return "";
        }

        // Annotations such as {request} are not units.
        var plain = new StringBuilder(unit.Length);
        int depth = 0;
        foreach (char c in unit)
        {
            depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            if (depth == 0 && c != '}')
            {
                plain.Append(c);
            }
        }

        string bare = plain.ToString().Trim();
        if (bare.Length == 0)
        {
            return "";
        }

        if (bare == "1")
        {
            return type == Gauge ? "ratio" : "";
        }

        int slash = bare.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            string over = bare[..slash], per = bare[(slash + 1)..];
            string left = Units.TryGetValue(over, out var o) ? o : Sanitize(over, false);
            string right = PerUnits.TryGetValue(per, out var p) ? p : Sanitize(per, false);
            return left.Length == 0 ? "per_" + right : left + "_per_" + right;
        }

        return Units.TryGetValue(bare, out var mapped) ? mapped : Sanitize(bare, false);
    }

    private static string Sanitize(string text, bool allowColon)
    {
        var clean = new StringBuilder(text.Length + 1);
        foreach (char c in text)
        {
            bool ok = char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':');
            char next = ok ? c : '_';
            // Runs of replaced characters collapse into one underscore.
            if (next != '_' || clean.Length == 0 || clean[^1] != '_')
            {
                clean.Append(next);
            }
        }

        if (clean.Length > 0 && char.IsAsciiDigit(clean[0]))
        {
            clean.Insert(0, '_');
        }

        return clean.ToString();
    }
}
