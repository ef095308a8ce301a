using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Fundament.Tests.Observability;

/// <summary>A sample of a parsed scrape.</summary>
public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string this[string label] => Labels.TryGetValue(label, out var value) ? value : "";

    /// <summary>The labels without <c>le</c>, as one comparable key.</summary>
    public string SeriesKey => string.Join(",", Labels.Where(l => l.Key != "le").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
}

/// <summary>One metric family: its HELP, TYPE and samples.</summary>
public sealed record Family(string Name, string Type, string Help, List<Sample> Samples);

/// <summary>
/// A strict parser of the Prometheus text exposition format 0.0.4, written for the tests independently of the
/// server's exporter: it fails on anything malformed — a sample before its TYPE, a TYPE given twice, a bad
/// metric or label name, an unterminated label value, an unparsable number.
/// </summary>
public static partial class PrometheusText
{
    private static readonly string[] Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    public static Dictionary<string, Family> Parse(string text)
    {
        var families = new Dictionary<string, Family>(StringComparer.Ordinal);
        var helps = new Dictionary<string, string>(StringComparer.Ordinal);
        Assert.EndsWith("\n", text);
        int number = 0;
        foreach (var line in text.Split('\n')[..^1])
        {
            number++;
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var parts = line[7..].Split(' ', 2);
                Assert.Matches(WholeMetricName(), parts[0]);
                Assert.False(helps.ContainsKey(parts[0]), $"line {number}: second HELP for {parts[0]}");
                helps[parts[0]] = parts.Length > 1 ? parts[1] : "";
            }
            else if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line[7..].Split(' ');
                Assert.Equal(2, parts.Length);
                Assert.Matches(WholeMetricName(), parts[0]);
                Assert.Contains(parts[1], Types);
                Assert.False(families.ContainsKey(parts[0]), $"line {number}: second TYPE for {parts[0]}");
                families[parts[0]] = new Family(parts[0], parts[1], helps.GetValueOrDefault(parts[0], ""), []);
            }
            else if (line.StartsWith('#'))
            {
                continue;
            }
            else
            {
                Assert.False(string.IsNullOrWhiteSpace(line), $"line {number} is blank");
                var sample = ParseSample(line, number);
                var family = FamilyOf(families, sample.Name);
                Assert.True(family is not null, $"line {number}: sample {sample.Name} has no TYPE before it");
                family.Samples.Add(sample);
            }
        }

        return families;
    }

    /// <summary>Checks each series of a histogram: buckets never decrease, the last is +Inf, +Inf equals _count, _sum exists.</summary>
    public static void AssertHistogram(Family family)
    {
        Assert.Equal("histogram", family.Type);
        foreach (var series in family.Samples.Where(s => s.Name == family.Name + "_bucket").GroupBy(s => s.SeriesKey))
        {
            var buckets = series.ToList();
            Assert.Equal("+Inf", buckets[^1]["le"]);
            for (int i = 1; i < buckets.Count; i++)
            {
                Assert.True(Bound(buckets[i]["le"]) > Bound(buckets[i - 1]["le"]), $"{family.Name}{{{series.Key}}}: bucket bounds out of order");
                Assert.True(buckets[i].Value >= buckets[i - 1].Value, $"{family.Name}{{{series.Key}}}: bucket counts decrease at le={buckets[i]["le"]}");
            }

            var count = Assert.Single(family.Samples, s => s.Name == family.Name + "_count" && s.SeriesKey == series.Key);
            Assert.Equal(buckets[^1].Value, count.Value);
            Assert.Single(family.Samples, s => s.Name == family.Name + "_sum" && s.SeriesKey == series.Key);
        }
    }

    private static Family? FamilyOf(Dictionary<string, Family> families, string sample)
    {
        if (families.TryGetValue(sample, out var exact))
        {
            return exact;
        }

        foreach (string suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (sample.EndsWith(suffix, StringComparison.Ordinal) && families.TryGetValue(sample[..^suffix.Length], out var family) && family.Type is "histogram" or "summary")
            {
                return family;
            }
        }

        return null;
    }

    private static Sample ParseSample(string line, int number)
    {
        var name = MetricName().Match(line);
        Assert.True(name.Success && name.Index == 0, $"line {number}: bad metric name in '{line}'");
        int i = name.Length;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var label = LabelName().Match(line, i);
                Assert.True(label.Success && label.Index == i, $"line {number}: bad label name at {i} in '{line}'");
                i += label.Length;
                Assert.Equal("=\"", line.Substring(i, 2));
                i += 2;
                var value = new StringBuilder();
                while (line[i] != '"')
                {
                    if (line[i] == '\\')
                    {
                        i++;
                        value.Append(line[i] switch
                        {
                            'n' => '\n',
                            '\\' => '\\',
                            '"' => '"',
                            _ => throw new FormatException($"line {number}: bad escape \\{line[i]}"),
                        });
                    }
                    else
                    {
                        value.Append(line[i]);
                    }

                    i++;
                }

                Assert.True(labels.TryAdd(label.Value, value.ToString()), $"line {number}: label {label.Value} given twice");
                i++;
                if (line[i] == ',')
                {
                    i++;
                }
            }

            i++;
        }

        Assert.Equal(' ', line[i]);
        var fields = line[(i + 1)..].Split(' ');
        Assert.InRange(fields.Length, 1, 2);
        return new Sample(name.Value, labels, Bound(fields[0]));
    }

    private static double Bound(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    [GeneratedRegex("[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex WholeMetricName();

    [GeneratedRegex("[a-zA-Z_][a-zA-Z0-9_]*")]
    private static partial Regex LabelName();
}
