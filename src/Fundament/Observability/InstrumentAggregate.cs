using System.Diagnostics.Metrics;
using System.Text;

namespace Fundament.Observability;

/// <summary>
/// What <see cref="PrometheusExporter"/> keeps for one instrument: its Prometheus name and type and its series.
/// Finding a series is lock-free — a read of an immutable index, no allocation — and only a tag set seen
/// for the first time takes the lock, copies the index and publishes the copy.
/// </summary>
internal sealed class InstrumentAggregate
{
    /// <summary>Series per instrument before further tag sets fold into one overflow series (bounded memory).</summary>
    public const int MaxSeries = 2000;

    // OpenTelemetry's defaults: explicit buckets for seconds, and for everything else.
    private static readonly double[] SecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
    private static readonly double[] DefaultBuckets = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];
    private static readonly KeyValuePair<string, object?>[] OverflowTags = [new("otel_metric_overflow", true)];

    private readonly Lock _gate = new();
    private volatile Dictionary<int, MetricSeries[]> _index = [];
    private volatile MetricSeries[] _all = [];
    private MetricSeries? _overflow;

    private InstrumentAggregate(Instrument instrument, string type, bool cumulative, double[]? bounds)
    {
        Instrument = instrument;
        Type = type;
        Name = PrometheusFormat.MetricName(instrument.Name, instrument.Unit, type);
        Help = PrometheusFormat.EscapeHelp(string.IsNullOrWhiteSpace(instrument.Description) ? instrument.Name : instrument.Description);
        Observable = instrument.IsObservable;
        Cumulative = cumulative;
        Bounds = bounds;
    }

    public Instrument Instrument { get; }

    public string Name { get; }

    public string Help { get; }

    public string Type { get; }

    /// <summary>Observable instruments report every series at each collection; the ones they stop reporting are dropped.</summary>
    public bool Observable { get; }

    /// <summary>Measurements are totals or current values to keep, not increments to add.</summary>
    public bool Cumulative { get; }

    public double[]? Bounds { get; }

    /// <summary>The collection in progress, stamped on the series an observable instrument reports.</summary>
    public int Generation { get; set; }

    public IReadOnlyList<MetricSeries> Series => _all;

    /// <summary>Maps an instrument to its aggregation; null for kinds this exporter does not know.</summary>
    public static InstrumentAggregate? Create(Instrument instrument) => instrument switch
    {
        Counter<byte> or Counter<short> or Counter<int> or Counter<long> or Counter<float> or Counter<double> or Counter<decimal>
            => new(instrument, PrometheusFormat.Counter, false, null),
        UpDownCounter<byte> or UpDownCounter<short> or UpDownCounter<int> or UpDownCounter<long> or UpDownCounter<float> or UpDownCounter<double> or UpDownCounter<decimal>
            => new(instrument, PrometheusFormat.Gauge, false, null),
        Histogram<byte> or Histogram<short> or Histogram<int> or Histogram<long> or Histogram<float> or Histogram<double> or Histogram<decimal>
            => new(instrument, PrometheusFormat.Histogram, false, BoundsOf(instrument)),
        _ when IsGeneric(instrument, typeof(ObservableCounter<>)) => new(instrument, PrometheusFormat.Counter, true, null),
        _ when IsGeneric(instrument, typeof(ObservableUpDownCounter<>)) || IsGeneric(instrument, typeof(ObservableGauge<>)) || IsGeneric(instrument, typeof(Gauge<>))
            => new(instrument, PrometheusFormat.Gauge, true, null),
        _ => null,
    };

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var series = Find(tags);
        if (Bounds is not null)
        {
            series.Observe(value, Bounds);
        }
        else if (Cumulative)
        {
            series.Set(value);
            series.Generation = Generation;
        }
        else
        {
            series.Add(value);
        }
    }

    /// <summary>Writes this instrument's samples (HELP and TYPE are written once per family by the exporter).</summary>
    public void Render(StringBuilder text, int generation)
    {
        foreach (var series in _all)
        {
            if (Observable && series.Generation != generation)
            {
                continue;
            }

            if (Bounds is null)
            {
                text.Append(Name).Append(series.Labels).Append(' ').Append(PrometheusFormat.FormatValue(series.Value)).Append('\n');
                continue;
            }

            var counts = series.SnapshotBuckets();
            long cumulative = 0;
            for (int i = 0; i < counts.Length; i++)
            {
                cumulative += counts[i];
                string bound = i < Bounds.Length ? PrometheusFormat.FormatValue(Bounds[i]) : "+Inf";
                text.Append(Name).Append("_bucket").Append(series.BucketLabels).Append(bound).Append("\"} ").Append(cumulative).Append('\n');
            }

            // The count is the +Inf bucket by construction, so the two always agree even mid-update.
            text.Append(Name).Append("_sum").Append(series.Labels).Append(' ').Append(PrometheusFormat.FormatValue(series.Sum)).Append('\n');
            text.Append(Name).Append("_count").Append(series.Labels).Append(' ').Append(cumulative).Append('\n');
        }
    }

    private MetricSeries Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        int hash = MetricSeries.HashOf(tags);
        if (_index.TryGetValue(hash, out var candidates))
        {
            foreach (var candidate in candidates)
            {
                if (candidate.Matches(tags))
                {
                    return candidate;
                }
            }
        }

        return Add(tags, hash);
    }

    private MetricSeries Add(ReadOnlySpan<KeyValuePair<string, object?>> tags, int hash)
    {
        lock (_gate)
        {
            if (_index.TryGetValue(hash, out var candidates))
            {
                foreach (var candidate in candidates)
                {
                    if (candidate.Matches(tags))
                    {
                        return candidate;
                    }
                }
            }

            int buckets = Bounds is null ? 0 : Bounds.Length + 1;
            if (_all.Length >= MaxSeries)
            {
                // Left out of the index on purpose: every further new tag set lands here.
                if (_overflow is null)
                {
                    _overflow = new MetricSeries(OverflowTags, MetricSeries.HashOf(OverflowTags), buckets);
                    _all = [.. _all, _overflow];
                }

                return _overflow;
            }

            var series = new MetricSeries(tags, hash, buckets);
            _index = new Dictionary<int, MetricSeries[]>(_index) { [hash] = [.. candidates ?? [], series] };
            _all = [.. _all, series];
            return series;
        }
    }

    private static double[] BoundsOf(Instrument instrument)
    {
        var advised = instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.ToArray(),
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            _ => null,
        };
        if (advised is not { Length: > 0 })
        {
            return instrument.Unit == "s" ? SecondsBuckets : DefaultBuckets;
        }

        Array.Sort(advised);
        return advised;
    }

    private static bool IsGeneric(Instrument instrument, Type definition) =>
        instrument.GetType().IsGenericType && instrument.GetType().GetGenericTypeDefinition() == definition;
}
