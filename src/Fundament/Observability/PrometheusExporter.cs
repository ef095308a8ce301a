using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;

namespace Fundament.Observability;

/// <summary>
/// Aggregates the measurements of the meters <see cref="MeterSelection"/> picks — counters, up-down counters,
/// gauges, observable instruments and histograms with explicit buckets — with one <see cref="MeterListener"/>,
/// and renders them as Prometheus text (exposition format 0.0.4) for <c>GET /metrics</c>. Recording costs a
/// lock-free lookup and an interlocked add; all the work of formatting happens at scrape time.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    /// <summary>How long a scrape waits for slow figures (queue depth) before it serves the previous ones.</summary>
    public static readonly TimeSpan PolledWait = TimeSpan.FromSeconds(2);

    private readonly MeterListener _listener;
    private readonly IMeterFactory _factory;
    private readonly PolledMetrics[] _polled;
    private readonly ConcurrentDictionary<Instrument, InstrumentAggregate> _instruments = new();
    private readonly SemaphoreSlim _collecting = new(1, 1);
    private int _generation;

    public PrometheusExporter(IMeterFactory factory, IEnumerable<PolledMetrics> polled)
    {
        _factory = factory;
        _polled = [.. polled];
        _listener = new MeterListener
        {
            InstrumentPublished = Publish,
            MeasurementsCompleted = (instrument, _) => _instruments.TryRemove(instrument, out InstrumentAggregate? _),
        };
        _listener.SetMeasurementEventCallback<byte>(static (_, value, tags, state) => ((InstrumentAggregate)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>(static (_, value, tags, state) => ((InstrumentAggregate)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((InstrumentAggregate)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((InstrumentAggregate)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((InstrumentAggregate)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((InstrumentAggregate)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>(static (_, value, tags, state) => ((InstrumentAggregate)state!).Record((double)value, tags));
        _listener.Start();
    }

    /// <summary>Collects every instrument (observable ones are read now) and renders the exposition text.</summary>
    public async Task<string> ScrapeAsync(CancellationToken cancellationToken)
    {
        await RefreshPolledAsync(cancellationToken);
        await _collecting.WaitAsync(cancellationToken);
        try
        {
            int generation = ++_generation;
            var instruments = _instruments.Values.ToArray();
            foreach (var instrument in instruments)
            {
                instrument.Generation = generation;
            }

            _listener.RecordObservableInstruments();
            Array.Sort(instruments, (a, b) => string.CompareOrdinal(a.Name, b.Name));
            var text = new StringBuilder(16 * 1024);
            for (int i = 0; i < instruments.Length; i++)
            {
                var family = instruments[i];
                if (i > 0 && instruments[i - 1].Name == family.Name && instruments[i - 1].Type != family.Type)
                {
                    continue; // Two instruments that map to one name with different types cannot share a family.
                }

                if (i == 0 || instruments[i - 1].Name != family.Name)
                {
                    text.Append("# HELP ").Append(family.Name).Append(' ').Append(family.Help).Append('\n');
                    text.Append("# TYPE ").Append(family.Name).Append(' ').Append(family.Type).Append('\n');
                }

                family.Render(text, generation);
            }

            return text.ToString();
        }
        finally
        {
            _collecting.Release();
        }
    }

    private void Publish(Instrument instrument, MeterListener listener)
    {
        if (MeterSelection.Includes(instrument.Meter, _factory) && InstrumentAggregate.Create(instrument) is { } aggregate)
        {
            _instruments[instrument] = aggregate;
            listener.EnableMeasurementEvents(instrument, aggregate);
        }
    }

    private async Task RefreshPolledAsync(CancellationToken cancellationToken)
    {
        if (_polled.Length == 0)
        {
            return;
        }

        var refreshes = new Task[_polled.Length];
        for (int i = 0; i < _polled.Length; i++)
        {
            refreshes[i] = _polled[i].RefreshAsync(cancellationToken);
        }

        try
        {
            await Task.WhenAll(refreshes).WaitAsync(PolledWait, cancellationToken);
        }
        catch (TimeoutException)
        {
            // A slow database must not stall the scrape: the previous figures are served.
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        _collecting.Dispose();
    }
}
