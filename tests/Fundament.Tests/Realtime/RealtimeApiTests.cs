using System.Net;
using System.Net.Http.Json;
using Fundament.Data;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Realtime;

/// <summary>Who receives what: each subscriber gets exactly the changes its own rules let it see, over a real HTTP stream.</summary>
public abstract class RealtimeApiTests(DbKind kind) : IAsyncLifetime
{
    private RealtimeTestBed _bed = null!;

    public async ValueTask InitializeAsync() => _bed = await RealtimeTestBed.StartAsync(kind);

    public async ValueTask DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task Each_user_receives_only_its_own_records_and_never_the_others_ids()
    {
        await using var alice = await _bed.StreamAsync(_bed.Alice, "collections=notes");
        await using var bob = await _bed.StreamAsync(_bed.Bob, "collections=notes");
        await using var admin = await SseClient.OpenAsync(_bed.Server.Admin, "/api/realtime?collections=notes");

        string a1 = await _bed.NoteAsync(_bed.Alice, "alice 1");
        string b1 = await _bed.NoteAsync(_bed.Bob, "bob 1");
        await _bed.PatchAsync(a1, new { text = "alice 1, edited" });
        await _bed.DeleteAsync(a1);
        string b2 = await _bed.NoteAsync(_bed.Bob, "bob 2");
        string a2 = await _bed.NoteAsync(_bed.Alice, "alice 2");

        await alice.ExpectAsync("create", a1);
        var update = await alice.ExpectAsync("update", a1);
        Assert.Equal("alice 1, edited", update.Json.GetProperty("record").GetProperty("text").GetString());
        Assert.Equal("notes", update.Json.GetProperty("collection").GetString());
        var deleted = await alice.ExpectAsync("delete", a1);
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, deleted.Json.GetProperty("record").GetProperty("deleted_at").ValueKind);
        // Changes arrive in order, so Bob's notes would have come before this one had they leaked.
        await alice.ExpectAsync("create", a2);
        await bob.ExpectAsync("create", b1);
        await bob.ExpectAsync("create", b2);
        foreach (string id in new[] { b1, b2 })
        {
            Assert.DoesNotContain(id, alice.Raw, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(a1, bob.Raw, StringComparison.Ordinal);

        // A superuser sees everything, with ids that only ever grow.
        long previous = 0;
        foreach (var (action, id) in new[] { ("create", a1), ("create", b1), ("update", a1), ("delete", a1), ("create", b2), ("create", a2) })
        {
            long eventId = long.Parse((await admin.ExpectAsync(action, id)).Id!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(eventId > previous);
            previous = eventId;
        }
    }

    [Fact]
    public async Task A_record_that_changes_hands_leaves_one_view_and_enters_the_other()
    {
        await using var alice = await _bed.StreamAsync(_bed.Alice, "collections=notes");
        await using var bob = await _bed.StreamAsync(_bed.Bob, "collections=notes");
        string note = await _bed.NoteAsync(_bed.Alice, "handed over");
        await _bed.PatchAsync(note, new { owner = _bed.Bob.Id });

        await alice.ExpectAsync("create", note);
        // Alice learns it is gone from her view with the last state she could see, never Bob's.
        var gone = await alice.ExpectAsync("delete", note);
        Assert.Equal(_bed.Alice.Id, gone.Json.GetProperty("record").GetProperty("owner").GetString());
        await bob.ExpectAsync("create", note);

        // Soft delete and restore: gone, then back.
        await _bed.DeleteAsync(note);
        using (var restored = await _bed.Server.Admin.PostAsync($"/api/notes/{note}/restore", null))
        {
            Assert.True(restored.IsSuccessStatusCode);
        }

        await bob.ExpectAsync("delete", note);
        await bob.ExpectAsync("create", note);
        string mine = await _bed.NoteAsync(_bed.Alice, "marker");
        await alice.ExpectAsync("create", mine);
    }

    [Fact]
    public async Task Record_and_filtered_subscriptions_see_only_what_they_name()
    {
        string a1 = await _bed.NoteAsync(_bed.Alice, "call mum");
        await using var one = await _bed.StreamAsync(_bed.Alice, $"collections=notes/{a1}");
        await using var urgent = await _bed.StreamAsync(_bed.Alice, "collections=notes&filter=" + Uri.EscapeDataString("text ~ 'URGENT'"));

        await _bed.PatchAsync(a1, new { text = "urgent: call mum" });
        string a2 = await _bed.NoteAsync(_bed.Alice, "groceries");
        string a3 = await _bed.NoteAsync(_bed.Alice, "urgent too");
        string b1 = await _bed.NoteAsync(_bed.Bob, "urgent for bob");
        await _bed.PatchAsync(a1, new { text = "called mum" });

        await one.ExpectAsync("update", a1);
        await one.ExpectAsync("update", a1);
        await urgent.ExpectAsync("create", a1);
        await urgent.ExpectAsync("create", a3);
        await urgent.ExpectAsync("delete", a1);
        Assert.DoesNotContain(a2, one.Raw + urgent.Raw, StringComparison.Ordinal);
        Assert.DoesNotContain(a3, one.Raw, StringComparison.Ordinal);
        Assert.DoesNotContain(b1, one.Raw + urgent.Raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rules_through_relations_are_judged_by_the_database_on_the_state_each_change_recorded()
    {
        await _bed.Server.CreateCollectionAsync("""
            {"name":"team_notes","fields":[{"name":"text","type":"text"},{"name":"owner","type":"relation","target":"users"}],
             "listRule":"owner.email = @request.auth.email","viewRule":"owner.email = @request.auth.email"}
            """);
        await using var alice = await _bed.StreamAsync(_bed.Alice, "collections=team_notes");
        string hers = await _bed.Server.CreateIdAsync("team_notes", new { text = "hers", owner = _bed.Alice.Id });
        string his = await _bed.Server.CreateIdAsync("team_notes", new { text = "his", owner = _bed.Bob.Id });
        string handed = await _bed.Server.CreateIdAsync("team_notes", new { text = "handed over", owner = _bed.Alice.Id });
        using (var patched = await _bed.Server.Admin.PatchAsJsonAsync($"/api/team_notes/{handed}", new { owner = _bed.Bob.Id }))
        {
            Assert.True(patched.IsSuccessStatusCode);
        }

        // Gone from its table by the time it is judged: the recorded state is what counts.
        using (var deleted = await _bed.Server.Admin.DeleteAsync($"/api/team_notes/{hers}"))
        {
            Assert.True(deleted.IsSuccessStatusCode);
        }

        await alice.ExpectAsync("create", hers);
        await alice.ExpectAsync("create", handed);
        await alice.ExpectAsync("delete", handed);
        await alice.ExpectAsync("delete", hers);
        Assert.DoesNotContain(his, alice.Raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ticket_opens_one_stream_once_for_its_user()
    {
        await _bed.Server.Anonymous.PostAsync("/api/realtime/ticket", null).ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        var taken = await _bed.Alice.Client.PostAsync("/api/realtime/ticket", null).ShouldBe(HttpStatusCode.OK);
        string ticket = taken.GetProperty("data").GetProperty("ticket").GetString()!;
        Assert.Equal(60, taken.GetProperty("data").GetProperty("expiresIn").GetInt32());

        string url = $"/api/realtime?collections=notes&ticket={Uri.EscapeDataString(ticket)}";
        await using (var stream = await SseClient.OpenAsync(_bed.Server.Anonymous, url))
        {
            string bobs = await _bed.NoteAsync(_bed.Bob, "bob");
            string alices = await _bed.NoteAsync(_bed.Alice, "alice");
            await stream.ExpectAsync("create", alices);
            Assert.DoesNotContain(bobs, stream.Raw, StringComparison.Ordinal);
        }

        await _bed.Server.Anonymous.GetAsync(url).ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await _bed.Server.Anonymous.GetAsync("/api/realtime?collections=notes&ticket=rt_made-up").ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");

        // A ticket taken with an API key carries the key's scopes, checked again when it is spent.
        var key = await _bed.Alice.Client.PostAsJsonAsync("/api/keys", new { name = "other", scopes = new[] { "other:read" } }).ShouldBe(HttpStatusCode.Created);
        using (var keyed = _bed.Server.Client())
        {
            keyed.DefaultRequestHeaders.Add("X-Api-Key", key.GetProperty("data").GetProperty("key").GetString());
            string scoped = (await keyed.PostAsync("/api/realtime/ticket", null).ShouldBe(HttpStatusCode.OK)).GetProperty("data").GetProperty("ticket").GetString()!;
            await _bed.Server.Anonymous.GetAsync($"/api/realtime?collections=notes&ticket={Uri.EscapeDataString(scoped)}").ShouldBe(HttpStatusCode.Forbidden, "FORBIDDEN");
        }

        string expired = (await _bed.Alice.Client.PostAsync("/api/realtime/ticket", null).ShouldBe(HttpStatusCode.OK))
            .GetProperty("data").GetProperty("ticket").GetString()!;
        await using (var tx = await _bed.Server.Get<Database>().BeginWriteAsync(CancellationToken.None))
        {
            var sql = new SqlBuilder(tx.Dialect).Append("UPDATE \"_realtime_tickets\" SET expires_at = ")
                .Parameter(SqlType.Timestamp, DateTime.UtcNow.AddSeconds(-1));
            await tx.ExecuteAsync(sql, CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
        }

        await _bed.Server.Anonymous.GetAsync($"/api/realtime?collections=notes&ticket={Uri.EscapeDataString(expired)}")
            .ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Fact]
    public async Task Bad_requests_are_answered_in_the_envelope_before_any_stream()
    {
        (string Query, HttpStatusCode Status, string Code)[] scenarios =
        [
            ("", HttpStatusCode.BadRequest, "BAD_REQUEST"),
            ("collections=", HttpStatusCode.BadRequest, "BAD_REQUEST"),
            ("collections=nothing_here", HttpStatusCode.NotFound, "NOT_FOUND"),
            ("collections=secrets", HttpStatusCode.Forbidden, "FORBIDDEN"),
            ("collections=notes,secrets", HttpStatusCode.Forbidden, "FORBIDDEN"),
            ("collections=notes/not-an-id", HttpStatusCode.BadRequest, "BAD_REQUEST"),
            ("collections=notes,notes/0190a5b8-0000-7000-8000-000000000001", HttpStatusCode.BadRequest, "BAD_REQUEST"),
            ("collections=notes&filter=" + Uri.EscapeDataString("text =="), HttpStatusCode.BadRequest, "BAD_REQUEST"),
            ("collections=notes&lastEventId=abc", HttpStatusCode.BadRequest, "BAD_REQUEST"),
            ("collections=notes&lastEventId=-1", HttpStatusCode.BadRequest, "BAD_REQUEST"),
            ("collections=notes&ticket=rt_x", HttpStatusCode.BadRequest, "BAD_REQUEST"),
        ];
        foreach (var (query, status, code) in scenarios)
        {
            await _bed.Alice.Client.GetAsync("/api/realtime?" + query).ShouldBe(status, code);
        }

        var error = await _bed.Alice.Client.GetAsync("/api/realtime?collections=notes&filter=" + Uri.EscapeDataString("nope = 1"))
            .ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        Assert.Contains("position 0", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(new[] { "filter" }, error.DetailFields());
    }

    [Fact]
    public async Task Superusers_may_subscribe_to_superuser_only_collections_and_deleted_accounts_lose_their_stream()
    {
        await using var secrets = await SseClient.OpenAsync(_bed.Server.Admin, "/api/realtime?collections=secrets");
        string secret = await _bed.Server.CreateIdAsync("secrets", new { text = "s" });
        await secrets.ExpectAsync("create", secret);

        await using var alice = await _bed.StreamAsync(_bed.Alice, "collections=notes");
        using (var deleted = await _bed.Server.Admin.DeleteAsync($"/api/users/{_bed.Alice.Id}"))
        {
            Assert.True(deleted.IsSuccessStatusCode);
        }

        Assert.True(await alice.EndsWithinAsync(TimeSpan.FromSeconds(20)), "the stream of a deleted account stays open");
        await _bed.Alice.Client.GetAsync("/api/realtime?collections=notes").ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }
}

public sealed class RealtimeApiTests_Sqlite() : RealtimeApiTests(DbKind.Sqlite);

public sealed class RealtimeApiTests_Postgres() : RealtimeApiTests(DbKind.Postgres);
