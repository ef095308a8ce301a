using System.Net;
using System.Text;
using Fundament.Tests.Jobs;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Observability;

/// <summary>With an OTLP endpoint configured, metrics and traces reach a collector — here a local OTLP/HTTP receiver.</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Metrics_and_traces_are_posted_as_protobuf_to_the_collector()
    {
        await using var collector = await Receiver.StartAsync();
        var jobs = new TestJobs();
        var app = await TestApp.StartAsync(DbKind.Sqlite, new Dictionary<string, string?>
        {
            ["Fundament:OtlpEndpoint"] = collector.BaseUrl.ToString(),
            ["Fundament:OtlpIntervalSeconds"] = "1",
            ["Fundament:JobPollMilliseconds"] = "50",
        }, configure: jobs.Register);
        await using (app)
        {
            await app.Anonymous.GetAsync("/api/health/ready").ShouldBe(HttpStatusCode.OK);
            var job = await TestJobs.EnqueueAsync(app, new { type = "test.ok" });
            await TestJobs.WaitForStateAsync(app, job.GetProperty("id").GetString()!, "succeeded");
        }

        // Stopping the app flushes both providers.
        var requests = collector.Requests.ToList();
        var metrics = requests.Where(r => r.Path == "/v1/metrics").ToList();
        var traces = requests.Where(r => r.Path == "/v1/traces").ToList();
        Assert.NotEmpty(metrics);
        Assert.NotEmpty(traces);
        Assert.All(metrics.Concat(traces), r =>
        {
            Assert.Equal("POST", r.Method);
            Assert.Equal("application/x-protobuf", r.Headers["content-type"]);
        });

        // Protobuf keeps strings as UTF-8, so names are visible in the bytes.
        string metricBytes = string.Concat(metrics.Select(r => Encoding.UTF8.GetString(r.Body)));
        // Only the resource is asserted: in a test run many hosts share the process and the SDK's process-wide
        // listener, and a metric stream they share ends when any of them stops.
        Assert.Contains("service.name", metricBytes);
        Assert.Contains("fundament", metricBytes);
        string traceBytes = string.Concat(traces.Select(r => Encoding.UTF8.GetString(r.Body)));
        Assert.Contains("GET /api/health/ready", traceBytes);
        Assert.Contains("job test.ok", traceBytes);
        Assert.Contains("db transaction", traceBytes);
    }

    [Fact]
    public async Task Without_an_endpoint_nothing_is_exported()
    {
        await using var app = await TestApp.StartAsync(DbKind.Sqlite, new Dictionary<string, string?> { ["Fundament:JobWorkers"] = "false" });
        Assert.Null(app.Get<Fundament.Observability.OtlpExport>().Endpoint);
    }
}
