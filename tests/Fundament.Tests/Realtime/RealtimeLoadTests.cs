using Fundament.Realtime;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Realtime;

/// <summary>
/// Thousands of open streams on one node, half of them filtered: every one receives exactly the change it
/// may see. Fan-out judges these rules in memory, so no query runs per subscriber. Bounded in time by the
/// clients' timeouts; it is a capacity check, not a benchmark.
/// </summary>
public sealed class RealtimeLoadTests
{
    private const int Subscribers = 2000;
    private const int Wave = 100;

    [Fact]
    public async Task Two_thousand_subscribers_on_one_node_each_receive_what_they_may_see()
    {
        // Every stream comes from one address here; a real crowd would not share one rate-limit bucket.
        var settings = new Dictionary<string, string?>(RealtimeTestBed.Settings) { ["Fundament:RateLimits"] = "realtime=off" };
        await using var server = await RealtimeTestServer.StartAsync(DbKind.Sqlite, settings);
        await server.CreateCollectionAsync("""{"name":"posts","fields":[{"name":"title","type":"text"}],"listRule":"","viewRule":""}""");
        var client = server.Client();
        var streams = new SseClient[Subscribers];
        try
        {
            // In waves, so the listen backlog never overflows.
            for (int start = 0; start < Subscribers; start += Wave)
            {
                await Task.WhenAll(Enumerable.Range(start, Wave).Select(async i => streams[i] = await SseClient.OpenAsync(client,
                    i % 2 == 0 ? "/api/realtime?collections=posts" : "/api/realtime?collections=posts&filter=" + Uri.EscapeDataString("title ~ 'two'"))));
            }

            Assert.Equal(Subscribers, server.Get<RealtimeBroker>().Count);
            string one = await server.CreateIdAsync("posts", new { title = "one" });
            string two = await server.CreateIdAsync("posts", new { title = "two" });
            await Task.WhenAll(streams.Select(async (stream, i) =>
            {
                if (i % 2 == 0)
                {
                    await stream.ExpectAsync("create", one);
                }

                await stream.ExpectAsync("create", two);
            }));
        }
        finally
        {
            foreach (var stream in streams)
            {
                if (stream is not null)
                {
                    await stream.DisposeAsync();
                }
            }
        }
    }
}
