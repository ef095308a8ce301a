using System.Globalization;
using System.Text;

namespace Fundament.Server;

/// <summary>One sample line of Prometheus text: <c>name{label="value"} 1.5</c>.</summary>
internal sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Label(string name) => Labels.TryGetValue(name, out var value) ? value : "";
}

/// <summary>Reads the samples of a Prometheus text scrape (format 0.0.4) for <c>fundament status</c>; comments are skipped.</summary>
internal static class PrometheusSamples
{
    public static List<PrometheusSample> Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        foreach (var raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            int i = 0;
            while (i < line.Length && line[i] != '{' && line[i] != ' ')
            {
                i++;
            }

            string name = line[..i];
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (i < line.Length && line[i] == '{')
            {
                i = ReadLabels(line, i + 1, labels);
            }

            var rest = line[i..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (rest.Length > 0 && TryParseValue(rest[0], out double value))
            {
                samples.Add(new PrometheusSample(name, labels, value));
            }
        }

        return samples;
    }

    private static int ReadLabels(string line, int i, Dictionary<string, string> labels)
    {
        while (i < line.Length && line[i] != '}')
        {
            int equals = line.IndexOf('=', i);
            if (equals < 0)
            {
                return line.Length;
            }

            string key = line[i..equals].Trim().TrimStart(',').Trim();
            i = equals + 2; // past ="
            var value = new StringBuilder();
            while (i < line.Length && line[i] != '"')
            {
                if (line[i] == '\\' && i + 1 < line.Length)
                {
                    i++;
                    value.Append(line[i] == 'n' ? '\n' : line[i]);
                }
                else
                {
                    value.Append(line[i]);
                }

                i++;
            }

            labels[key] = value.ToString();
            i++; // past the closing quote
            while (i < line.Length && line[i] is ',' or ' ')
            {
                i++;
            }
        }

        return Math.Min(i + 1, line.Length);
    }

    private static bool TryParseValue(string text, out double value)
    {
        switch (text)
        {
            case "+Inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf":
                value = double.NegativeInfinity;
                return true;
            case "NaN":
                value = double.NaN;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }
}
