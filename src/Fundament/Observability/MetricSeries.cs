using System.Text;

namespace Fundament.Observability;

/// <summary>
/// One time series of an instrument: a tag set and its running value (or histogram buckets). Updated with
/// interlocked operations only, so recording never takes a lock; the label text is rendered once, when the
/// series first appears.
/// </summary>
internal sealed class MetricSeries
{
    private readonly KeyValuePair<string, object?>[] _tags;
    private readonly long[]? _buckets;
    private double _value;
    private double _sum;

    public MetricSeries(ReadOnlySpan<KeyValuePair<string, object?>> tags, int hash, int bucketCount)
    {
        _tags = tags.ToArray();
        Hash = hash;
        _buckets = bucketCount > 0 ? new long[bucketCount] : null;
        var sorted = _tags.Select(t => (Name: PrometheusFormat.LabelName(t.Key), Value: PrometheusFormat.LabelText(t.Value)))
            .OrderBy(t => t.Name, StringComparer.Ordinal).ToArray();
        var labels = new StringBuilder();
        foreach (var (name, value) in sorted)
        {
            labels.Append(labels.Length == 0 ? "{" : ",").Append(name).Append("=\"");
            PrometheusFormat.AppendLabelValue(labels, value);
            labels.Append('"');
        }

        Labels = labels.Length == 0 ? "" : labels + "}";
        BucketLabels = labels.Length == 0 ? "{le=\"" : labels + ",le=\"";
    }

    public int Hash { get; }

    /// <summary><c>{a="b",c="d"}</c>, or empty without tags.</summary>
    public string Labels { get; }

    /// <summary>The labels opened for a bucket's <c>le</c>: <c>{a="b",le="</c>.</summary>
    public string BucketLabels { get; }

    /// <summary>The scrape in which an observable instrument last reported this series.</summary>
    public int Generation { get; set; }

    public double Value => Volatile.Read(ref _value);

    public double Sum => Volatile.Read(ref _sum);

    public void Add(double delta) => AddTo(ref _value, delta);

    public void Set(double value) => Volatile.Write(ref _value, value);

    /// <summary>Counts <paramref name="value"/> in the first bucket whose upper bound is at least the value.</summary>
    public void Observe(double value, double[] bounds)
    {
        int index = Array.BinarySearch(bounds, value);
        Interlocked.Increment(ref _buckets![index >= 0 ? index : ~index]);
        AddTo(ref _sum, value);
    }

    /// <summary>Copies the per-bucket counts (the last one is the +Inf bucket).</summary>
    public long[] SnapshotBuckets()
    {
        var copy = new long[_buckets!.Length];
        for (int i = 0; i < copy.Length; i++)
        {
            copy[i] = Interlocked.Read(ref _buckets[i]);
        }

        return copy;
    }

    /// <summary>True when <paramref name="tags"/> holds the same keys and values, in any order.</summary>
    public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length != _tags.Length)
        {
            return false;
        }

        foreach (var tag in tags)
        {
            bool found = false;
            foreach (var own in _tags)
            {
                if (string.Equals(own.Key, tag.Key, StringComparison.Ordinal) && Equals(own.Value, tag.Value))
                {
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A hash that does not depend on the order of the tags.</summary>
    public static int HashOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        int hash = tags.Length;
        foreach (var tag in tags)
        {
            hash += HashCode.Combine(tag.Key, tag.Value);
        }

        return hash;
    }

    private static void AddTo(ref double target, double delta)
    {
        double seen = Volatile.Read(ref target);
        while (true)
        {
            double actual = Interlocked.CompareExchange(ref target, seen + delta, seen);
            if (actual.Equals(seen))
            {
                return;
            }

            seen = actual;
        }
    }
}
