using System.Net;
using System.Net.Http.Json;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Identity;

/// <summary>A user reaching for another user's records by every road: list, view, filter, expand, batch, PATCH, DELETE.</summary>
public abstract class CrossUserAccessTests(DbKind kind) : IAsyncLifetime
{
    private TestApp _app = null!;
    private HttpClient _ann = null!;
    private string _bobNote = null!;
    private string _annId = null!;

    public async ValueTask InitializeAsync()
    {
        _app = await TestApp.StartAsync(kind);
        await _app.CreateCollectionAsync("""
            {"name":"notes","fields":[{"name":"text","type":"text"},{"name":"owner","type":"relation","target":"users","onDelete":"cascade"},
                                      {"name":"parent","type":"relation","target":"notes","onDelete":"set-null"}],
             "listRule":"owner = @request.auth.id","viewRule":"owner = @request.auth.id","createRule":"owner = @request.auth.id",
             "updateRule":"owner = @request.auth.id","deleteRule":"owner = @request.auth.id"}
            """);
        _annId = (await _app.CreateRecordAsync("users", new { email = "ann@example.com", password = "ann password 1" })).GetProperty("id").GetString()!;
        string bobId = (await _app.CreateRecordAsync("users", new { email = "bob@example.com", password = "bob password 1" })).GetProperty("id").GetString()!;
        _bobNote = (await _app.CreateRecordAsync("notes", new { text = "bob's secret", owner = bobId })).GetProperty("id").GetString()!;
        await _app.CreateRecordAsync("notes", new { text = "ann's note", owner = _annId, parent = _bobNote });
        _ann = _app.ClientWithToken(await _app.SignInAsync("/api/auth/login", "ann@example.com", "ann password 1"));
    }

    public async ValueTask DisposeAsync()
    {
        _ann.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Another_users_record_stays_out_of_reach()
    {
        var list = await _ann.GetAsync("/api/notes?expand=parent").ShouldBe(HttpStatusCode.OK);
        Assert.Equal(1, list.GetProperty("meta").GetProperty("total").GetInt64());
        var mine = list.GetProperty("data")[0];
        Assert.Equal("ann's note", mine.GetProperty("text").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, mine.GetProperty("expand").GetProperty("parent").ValueKind);

        var filtered = await _ann.GetAsync("/api/notes?filter=" + Uri.EscapeDataString("text ~ 'secret'")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(0, filtered.GetProperty("meta").GetProperty("total").GetInt64());
        await _ann.GetAsync($"/api/notes/{_bobNote}").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
        await _ann.PatchAsJsonAsync($"/api/notes/{_bobNote}", new { text = "mine now" }).ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
        await _ann.DeleteAsync($"/api/notes/{_bobNote}").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
        await _ann.PostAsJsonAsync("/api/batch", new { requests = new[] { new { method = "PATCH", url = $"/api/notes/{_bobNote}", body = new { text = "x" } } } })
            .ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
        // Creating a record owned by someone else is refused by the create rule, alone or in a batch.
        await _ann.PostAsJsonAsync("/api/notes", new { text = "forged", owner = Guid.NewGuid() }).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        string bobId = (await _app.Admin.GetAsync($"/api/notes/{_bobNote}").ShouldBe(HttpStatusCode.OK)).GetProperty("data").GetProperty("owner").GetString()!;
        await _ann.PostAsJsonAsync("/api/notes", new { text = "forged", owner = bobId }).ShouldBe(HttpStatusCode.Forbidden, "FORBIDDEN");
        await _ann.PostAsJsonAsync("/api/batch", new
        {
            requests = new object[]
        {
            new { method = "POST", url = "/api/notes", body = new { text = "ok", owner = _annId } },
            new { method = "POST", url = "/api/notes", body = new { text = "forged", owner = bobId } },
        }
        }).ShouldBe(HttpStatusCode.Forbidden, "FORBIDDEN");

        var bobs = await _app.Admin.GetAsync($"/api/notes/{_bobNote}").ShouldBe(HttpStatusCode.OK);
        Assert.Equal("bob's secret", bobs.GetProperty("data").GetProperty("text").GetString());
        Assert.Equal(2, (await _app.Admin.GetAsync("/api/notes").ShouldBe(HttpStatusCode.OK)).GetProperty("meta").GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Rules_cannot_name_hidden_fields()
    {
        var refused = await _app.Admin.PatchAsJsonAsync("/api/collections/users", new { listRule = "password = 'x'" })
            .ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        Assert.Contains("listRule", refused.DetailFields());
    }
}

public sealed class CrossUserAccessTests_Sqlite() : CrossUserAccessTests(DbKind.Sqlite);

public sealed class CrossUserAccessTests_Postgres() : CrossUserAccessTests(DbKind.Postgres);
