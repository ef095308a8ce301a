using System.Net;
using Fundament.Tests.Jobs;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Observability;

/// <summary>A scrape of <c>/metrics</c> after real traffic, parsed by an independent Prometheus text parser.</summary>
public abstract class MetricsScrapeTests(DbKind kind) : IAsyncLifetime
{
    private readonly TestJobs _jobs = new();
    private TestApp _app = null!;

    public async ValueTask InitializeAsync() => _app = await TestApp.StartAsync(kind, new Dictionary<string, string?>
    {
        ["Fundament:JobPollMilliseconds"] = "50",
    }, configure: builder =>
    {
        _jobs.Register(builder);
        RemoteAddressFilter.Register(builder);
    });

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task<Dictionary<string, Family>> ScrapeAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Add(RemoteAddressFilter.Header, "127.0.0.1");
        using var response = await _app.Anonymous.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return PrometheusText.Parse(text);
    }

    [Fact]
    public async Task Requests_database_and_jobs_show_up_with_route_templates_and_valid_histograms()
    {
        await _app.CreateCollectionAsync("""{"name":"posts","fields":[{"name":"title","type":"text"}],"listRule":"","viewRule":""}""");
        var post = await _app.CreateRecordAsync("posts", new { title = "hello" });
        string id = post.GetProperty("id").GetString()!;
        await _app.Anonymous.GetAsync($"/api/posts/{id}").ShouldBe(HttpStatusCode.OK);
        await _app.Anonymous.GetAsync($"/api/posts/{id}").ShouldBe(HttpStatusCode.OK);
        await _app.Anonymous.GetAsync("/api/posts?limit=5").ShouldBe(HttpStatusCode.OK);
        await _app.Anonymous.GetAsync("/no/such/route").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
        var job = await TestJobs.EnqueueAsync(_app, new { type = "test.ok", payload = new { n = 1 } });
        await TestJobs.WaitForStateAsync(_app, job.GetProperty("id").GetString()!, "succeeded");

        // The queue's figures are read from the database at most every few seconds (PolledMetrics.MaxAge), and a read
        // made while the job still ran may be the one a scrape right after it shows: scrape until its end shows.
        Dictionary<string, Family> families = [];
        await Eventually.TrueAsync(async () =>
        {
            families = await ScrapeAsync();
            return families.TryGetValue("fundament_jobs_depth", out var depth) && depth.Samples.Any(s => s["queue"] == "default" && s["state"] == "succeeded");
        }, "the queue depth never showed the job as succeeded");
        foreach (var histogram in families.Values.Where(f => f.Type == "histogram"))
        {
            PrometheusText.AssertHistogram(histogram);
        }

        // HTTP: ASP.NET Core's own histogram, labelled by route template — never by the raw path.
        var requests = families["http_server_request_duration_seconds"];
        Assert.False(string.IsNullOrWhiteSpace(requests.Help));
        var counts = requests.Samples.Where(s => s.Name == "http_server_request_duration_seconds_count").ToList();
        var byId = Assert.Single(counts, s => s["http_route"] == "/api/{collection}/{id}" && s["http_request_method"] == "GET" && s["http_response_status_code"] == "200");
        Assert.Equal(2, byId.Value);
        Assert.Contains(counts, s => s["http_route"] == "/api/{collection}/" && s["http_request_method"] == "POST" && s["http_response_status_code"] == "201");
        Assert.Contains(counts, s => s["http_response_status_code"] == "404" && s["http_route"] == "");
        Assert.DoesNotContain(requests.Samples, s => s.Labels.Values.Any(v => v.Contains(id, StringComparison.Ordinal) || v.Contains("/no/such", StringComparison.Ordinal)));

        // Jobs: counters and the duration histogram of the attempt, and the queue depth read from the database.
        Assert.Equal("counter", families["fundament_jobs_attempts_total"].Type);
        Assert.Equal(1, Assert.Single(families["fundament_jobs_attempts_total"].Samples, s => s["type"] == "test.ok" && s["queue"] == "default").Value);
        Assert.Equal(1, Assert.Single(families["fundament_jobs_duration_seconds"].Samples, s => s.Name.EndsWith("_count", StringComparison.Ordinal) && s["type"] == "test.ok").Value);
        Assert.Equal("gauge", families["fundament_jobs_depth"].Type);
        Assert.Equal(1, Assert.Single(families["fundament_jobs_depth"].Samples, s => s["queue"] == "default" && s["state"] == "succeeded").Value);
        Assert.Contains(families["fundament_jobs_oldest_due_age_seconds"].Samples, s => s["queue"] == "default");

        // Database: transactions committed, reads timed, no connection left counted as open but the scrape's own.
        Assert.True(families["fundament_db_transaction_duration_seconds"].Samples.Single(s => s.Name.EndsWith("_count", StringComparison.Ordinal) && s["outcome"] == "commit").Value > 0);
        Assert.True(families["fundament_db_read_duration_seconds"].Samples.Single(s => s.Name.EndsWith("_count", StringComparison.Ordinal)).Value > 0);
        Assert.Equal(0, families["fundament_db_connections_active"].Samples.Single(s => s["kind"] == "write").Value);
        Assert.InRange(families["fundament_db_connections_active"].Samples.Single(s => s["kind"] == "read").Value, 0, 1);
        if (kind == DbKind.Postgres)
        {
            Assert.Contains(families.Keys, name => name.StartsWith("db_client_", StringComparison.Ordinal));
        }

        // The runtime's meter comes along for memory and GC figures.
        Assert.Contains(families.Keys, name => name.StartsWith("dotnet_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_scrape_counts_the_first_and_keeps_one_family_per_name()
    {
        var first = await ScrapeAsync();
        var second = await ScrapeAsync();
        var scrapes = second["http_server_request_duration_seconds"].Samples
            .Single(s => s.Name.EndsWith("_count", StringComparison.Ordinal) && s["http_route"] == "/metrics");
        Assert.True(scrapes.Value >= 1);
        Assert.Equal(first.Keys.Order(), second.Keys.Intersect(first.Keys).Order());
    }
}

public sealed class MetricsScrapeTests_Sqlite() : MetricsScrapeTests(DbKind.Sqlite);

public sealed class MetricsScrapeTests_Postgres() : MetricsScrapeTests(DbKind.Postgres);
