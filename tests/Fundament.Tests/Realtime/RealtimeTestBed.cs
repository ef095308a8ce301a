using System.Net.Http.Json;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Realtime;

/// <summary>A signed-in user of the test bed with its own client.</summary>
internal sealed record Member(string Id, string Token, HttpClient Client);

/// <summary>
/// A server with a <c>notes</c> collection that only a note's owner may list or view (with soft delete),
/// a superusers-only <c>secrets</c> collection, and two users, Alice and Bob.
/// </summary>
internal sealed class RealtimeTestBed : IAsyncDisposable
{
    /// <summary>Settings every realtime test runs with: a short heartbeat, a small per-stream buffer, room for big bodies.</summary>
    public static readonly Dictionary<string, string?> Settings = new()
    {
        ["Fundament:RealtimeHeartbeatSeconds"] = "1",
        ["Fundament:RealtimeBufferSize"] = "16",
        ["Fundament:RealtimeRetryMilliseconds"] = "1500",
        ["Fundament:MaxBodyBytes"] = (16 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private RealtimeTestBed(RealtimeTestServer server, Member alice, Member bob)
    {
        Server = server;
        Alice = alice;
        Bob = bob;
    }

    public RealtimeTestServer Server { get; }

    public Member Alice { get; }

    public Member Bob { get; }

    public static async Task<RealtimeTestBed> StartAsync(DbKind kind, IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(Settings);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var server = await RealtimeTestServer.StartAsync(kind, all);
        await server.CreateCollectionAsync("""
            {"name":"notes","softDelete":true,
             "fields":[{"name":"text","type":"text"},{"name":"owner","type":"relation","target":"users","onDelete":"cascade"}],
             "listRule":"owner = @request.auth.id","viewRule":"owner = @request.auth.id"}
            """);
        await server.CreateCollectionAsync("""{"name":"secrets","fields":[{"name":"text","type":"text"}]}""");
        return new RealtimeTestBed(server, await MemberAsync(server, "alice@example.com"), await MemberAsync(server, "bob@example.com"));
    }

    public Task<string> NoteAsync(Member owner, string text) => Server.CreateIdAsync("notes", new { text, owner = owner.Id });

    public async Task PatchAsync(string id, object changes)
    {
        using var response = await Server.Admin.PatchAsJsonAsync($"/api/notes/{id}", changes);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task DeleteAsync(string id)
    {
        using var response = await Server.Admin.DeleteAsync($"/api/notes/{id}");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public Task<SseClient> StreamAsync(Member member, string query, string? lastEventId = null) =>
        SseClient.OpenAsync(member.Client, "/api/realtime?" + query, lastEventId);

    public ValueTask DisposeAsync() => Server.DisposeAsync();

    private static async Task<Member> MemberAsync(RealtimeTestServer server, string email)
    {
        var (id, token) = await server.CreateUserAsync(email);
        return new Member(id, token, server.Client(token));
    }
}
