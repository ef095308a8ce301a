using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Realtime;

/// <summary>
/// Two real server processes on one PostgreSQL database: a change made through either node reaches the
/// subscribers of both (LISTEN/NOTIFY) and makes the other node's read cache stale, a ticket taken on one
/// opens a stream on the other, and a client that moves to the other node resumes where it left off.
/// </summary>
public sealed class RealtimeClusterTests
{
    [Fact]
    public async Task A_change_made_through_any_node_reaches_subscribers_on_every_node()
    {
        var environment = new Dictionary<string, string>
        {
            ["FUNDAMENT_DB"] = await PostgresCluster.CreateDatabaseAsync(),
            ["FUNDAMENT_REALTIME_HEARTBEAT_SECONDS"] = "1",
            // No safety-net polling within the test's time: only NOTIFY can carry a change across nodes.
            ["FUNDAMENT_REALTIME_POLL_MILLISECONDS"] = "600000",
        };
        string dir = Path.Combine(Path.GetTempPath(), "fundament-cluster", Guid.NewGuid().ToString("N"));
        try
        {
            await using var a = await ServerProcess.StartAsync(dir, environment);
            using (var created = await a.Client.PostAsync("/api/collections", TestApp.JsonContent("""
                {"name":"notes","fields":[{"name":"text","type":"text"},{"name":"owner","type":"relation","target":"users"}],
                 "listRule":"owner = @request.auth.id","viewRule":"owner = @request.auth.id"}
                """)))
            {
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            }

            // Started after the collection exists: the schema is read at start-up.
            await using var b = await ServerProcess.StartAsync(dir, environment);
            var (aliceId, aliceToken) = await UserAsync(a, "alice@example.com");
            var (bobId, bobToken) = await UserAsync(a, "bob@example.com");
            using var aliceOnB = Client(b, null);
            using var bobOnA = Client(a, bobToken);
            using var aliceOnA = Client(a, aliceToken);

            var ticket = await aliceOnA.PostAsync("/api/realtime/ticket", null).ShouldBe(HttpStatusCode.OK);
            string url = "/api/realtime?collections=notes&ticket=" + Uri.EscapeDataString(ticket.GetProperty("data").GetProperty("ticket").GetString()!);
            await using var alice = await SseClient.OpenAsync(aliceOnB, url);
            using var aliceReadsB = Client(b, aliceToken);
            Assert.Equal(0, (await aliceReadsB.GetAsync("/api/notes").ShouldBe(HttpStatusCode.OK)).GetProperty("data").GetArrayLength());
            await using var bob = await SseClient.OpenAsync(bobOnA, "/api/realtime?collections=notes");

            string viaA = await NoteAsync(a, aliceId, "written on A");
            string bobs = await NoteAsync(b, bobId, "bob's, written on B");
            string viaB = await NoteAsync(b, aliceId, "written on B");
            await alice.ExpectAsync("create", viaA);
            // B's read cache held Alice's empty list; the change from A made it stale before the event went out.
            var list = await aliceReadsB.GetAsync("/api/notes").ShouldBe(HttpStatusCode.OK);
            Assert.Contains(list.GetProperty("data").EnumerateArray(), note => note.GetProperty("id").GetString() == viaA);
            string lastSeen = (await alice.ExpectAsync("create", viaB)).Id!;
            await bob.ExpectAsync("create", bobs);
            Assert.DoesNotContain(bobs, alice.Raw, StringComparison.Ordinal);
            Assert.DoesNotContain(viaA, bob.Raw, StringComparison.Ordinal);

            // Alice's node goes away; she resumes on the other one from her last event id.
            string missed = await NoteAsync(b, aliceId, "missed while moving");
            await using var moved = await SseClient.OpenAsync(aliceOnA, "/api/realtime?collections=notes", lastEventId: lastSeen);
            await moved.ExpectAsync("create", missed);
            string after = await NoteAsync(b, aliceId, "after the move");
            await moved.ExpectAsync("create", after);
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static HttpClient Client(ServerProcess node, string? token)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{node.Port}"), Timeout = Timeout.InfiniteTimeSpan };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    private static async Task<(string Id, string Token)> UserAsync(ServerProcess node, string email)
    {
        var user = await node.Client.PostAsJsonAsync("/api/users", new { email, password = "password of " + email }).ShouldBe(HttpStatusCode.Created);
        using var anonymous = Client(node, null);
        var login = await anonymous.PostAsJsonAsync("/api/auth/login", new { email, password = "password of " + email }).ShouldBe(HttpStatusCode.OK);
        return (user.GetProperty("data").GetProperty("id").GetString()!, login.GetProperty("data").GetProperty("accessToken").GetString()!);
    }

    private static async Task<string> NoteAsync(ServerProcess node, string owner, string text) =>
        (await node.Client.PostAsJsonAsync("/api/notes", new { text, owner }).ShouldBe(HttpStatusCode.Created))
            .GetProperty("data").GetProperty("id").GetString()!;
}
