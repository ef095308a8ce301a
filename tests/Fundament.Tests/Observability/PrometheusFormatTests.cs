using System.Diagnostics.Metrics;
using System.Text;
using Fundament.Observability;
using Microsoft.Extensions.DependencyInjection;

namespace Fundament.Tests.Observability;

/// <summary>Instrument names and units map to Prometheus names the way OpenTelemetry's compatibility rules say; label values are escaped.</summary>
public sealed class PrometheusFormatTests
{
    [Theory]
    [InlineData("http.server.request.duration", "s", PrometheusFormat.Histogram, "http_server_request_duration_seconds")]
    [InlineData("fundament.jobs.attempts", null, PrometheusFormat.Counter, "fundament_jobs_attempts_total")]
    [InlineData("fundament.jobs.depth", "{job}", PrometheusFormat.Gauge, "fundament_jobs_depth")]
    [InlineData("dotnet.gc.heap.total_allocated", "By", PrometheusFormat.Counter, "dotnet_gc_heap_total_allocated_bytes_total")]
    [InlineData("requests_total", "{request}", PrometheusFormat.Counter, "requests_total")]
    [InlineData("cpu.utilization", "1", PrometheusFormat.Gauge, "cpu_utilization_ratio")]
    [InlineData("net.throughput", "By/s", PrometheusFormat.Gauge, "net_throughput_bytes_per_second")]
    [InlineData("already.seconds", "s", PrometheusFormat.Gauge, "already_seconds")]
    [InlineData("9lives-of.a/cat", "ms", PrometheusFormat.Gauge, "_9lives_of_a_cat_milliseconds")]
    public void Names_get_units_and_counter_suffixes(string instrument, string? unit, string type, string expected) =>
        Assert.Equal(expected, PrometheusFormat.MetricName(instrument, unit, type));

    [Fact]
    public void Label_values_and_help_are_escaped()
    {
        var text = new StringBuilder();
        PrometheusFormat.AppendLabelValue(text, "a\"b\\c\nd");
        Assert.Equal("a\\\"b\\\\c\\nd", text.ToString());
        Assert.Equal("line\\nwith \\\\ slash", PrometheusFormat.EscapeHelp("line\nwith \\ slash"));
        Assert.Equal("+Inf", PrometheusFormat.FormatValue(double.PositiveInfinity));
        Assert.Equal("0.25", PrometheusFormat.FormatValue(0.25));
        Assert.Equal("true", PrometheusFormat.LabelText(true));
    }

    [Fact]
    public async Task The_exporter_renders_a_meters_instruments_with_escaped_labels_and_drops_series_observables_stop_reporting()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var exporter = new PrometheusExporter(factory, []);
        var meter = factory.Create("Fundament.Test");
        var counter = meter.CreateCounter<long>("test.hits", description: "Hits\nper key");
        var histogram = meter.CreateHistogram<double>("test.latency", "s");
        bool report = true;
        meter.CreateObservableGauge("test.open", () => report ? [new Measurement<int>(3, new KeyValuePair<string, object?>("pool", "main"))] : Array.Empty<Measurement<int>>());
        counter.Add(2, new KeyValuePair<string, object?>("key", "a\"b"));
        counter.Add(3, new KeyValuePair<string, object?>("key", "a\"b"));
        histogram.Record(0.003);
        histogram.Record(0.2);
        histogram.Record(60);
        var other = new Meter("Fundament.Other.Host"); // not this app's factory, but unscoped: process-wide meters are included
        using var ignored = new Meter("Somebody.Else");
        ignored.CreateCounter<int>("noise").Add(1);

        var families = PrometheusText.Parse(await exporter.ScrapeAsync(CancellationToken.None));
        Assert.Equal("Hits\\nper key", families["test_hits_total"].Help);
        Assert.Equal(5, Assert.Single(families["test_hits_total"].Samples, s => s["key"] == "a\"b").Value);
        var latency = families["test_latency_seconds"];
        PrometheusText.AssertHistogram(latency);
        Assert.Equal(1, latency.Samples.Single(s => s["le"] == "0.005").Value);
        Assert.Equal(2, latency.Samples.Single(s => s["le"] == "0.25").Value);
        Assert.Equal(3, latency.Samples.Single(s => s["le"] == "+Inf").Value);
        Assert.Equal(60.203, latency.Samples.Single(s => s.Name == "test_latency_seconds_sum").Value, 6);
        Assert.Equal(3, Assert.Single(families["test_open"].Samples).Value);
        Assert.DoesNotContain("noise_total", families.Keys);

        report = false;
        var later = PrometheusText.Parse(await exporter.ScrapeAsync(CancellationToken.None));
        Assert.Empty(later["test_open"].Samples);
        other.Dispose();
    }
}
