using System.Net;
using System.Net.Http.Headers;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Collections;

/// <summary>Schema management over /api/collections; every test runs on SQLite and on PostgreSQL.</summary>
public abstract class CollectionsApiTests(DbKind kind) : IAsyncLifetime
{
    private TestApp _app = null!;

    public async ValueTask InitializeAsync() => _app = await TestApp.StartAsync(kind);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private HttpClient Admin => _app.Admin;

    private static StringContent Json(string json) => TestApp.JsonContent(json);

    [Fact]
    public async Task Only_superusers_manage_collections()
    {
        await _app.Anonymous.GetAsync("/api/collections").ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await _app.Anonymous.PostAsync("/api/collections", Json("""{"name":"x"}""")).ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/collections");
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-key");
        await _app.Anonymous.SendAsync(wrong).ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        using var apiKey = new HttpRequestMessage(HttpMethod.Get, "/api/collections");
        apiKey.Headers.Add("X-Api-Key", "fk_unknown");
        await _app.Anonymous.SendAsync(apiKey).ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await _app.CreateRecordAsync("users", new { email = "u@example.com", password = "user password 1" });
        using var user = _app.ClientWithToken(await _app.SignInAsync("/api/auth/login", "u@example.com", "user password 1"));
        await user.GetAsync("/api/collections").ShouldBe(HttpStatusCode.Forbidden, "FORBIDDEN");
        var list = await Admin.GetAsync("/api/collections").ShouldBe(HttpStatusCode.OK);
        Assert.Contains("users", list.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task A_created_collection_is_served_and_recorded_as_a_migration_file()
    {
        using var response = await Admin.PostAsync("/api/collections", Json("""{"name":"notes","fields":[{"name":"body","type":"text"}],"listRule":"","createRule":""}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/api/collections/notes", response.Headers.Location!.ToString());
        var got = await Admin.GetAsync("/api/collections/notes").ShouldBe(HttpStatusCode.OK);
        Assert.Equal("base", got.GetProperty("data").GetProperty("type").GetString());
        await _app.Anonymous.PostAsync("/api/notes", Json("""{"body":"hi"}""")).ShouldBe(HttpStatusCode.Created);
        await _app.Anonymous.GetAsync("/api/notes/" + Guid.NewGuid()).ShouldBe(HttpStatusCode.Forbidden, "FORBIDDEN");
        var files = Directory.GetFiles(Path.Combine(_app.DataDirectory, "migrations")).Select(Path.GetFileName).ToList();
        Assert.Contains(files, f => f!.EndsWith("_create_notes.json", StringComparison.Ordinal));
        await Admin.GetAsync("/api/collections/nope").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Theory]
    [InlineData("""{"name":"users","fields":[]}""", "name")]
    [InlineData("""{"name":"health","fields":[]}""", "name")]
    [InlineData("""{"name":"_secret","fields":[]}""", "name")]
    [InlineData("""{"name":"Bad Name","fields":[]}""", "name")]
    [InlineData("""{"name":"t","fields":[{"name":"x","type":"colour"}]}""", "fields[0].type")]
    [InlineData("""{"name":"t","fields":[{"name":"id","type":"text"}]}""", "fields[0].name")]
    [InlineData("""{"name":"t","fields":[{"name":"a","type":"text"},{"name":"A","type":"text"}]}""", "fields[1].name")]
    [InlineData("""{"name":"t","fields":[{"name":"a","type":"text","values":["x"]}]}""", "fields[0].values")]
    [InlineData("""{"name":"t","fields":[{"name":"a","type":"text","min":5,"max":1}]}""", "fields[0]")]
    [InlineData("""{"name":"t","fields":[{"name":"a","type":"text","pattern":"("}]}""", "fields[0].pattern")]
    [InlineData("""{"name":"t","fields":[{"name":"a","type":"select"}]}""", "fields[0].values")]
    [InlineData("""{"name":"t","fields":[{"name":"a","type":"relation","target":"ghosts"}]}""", "fields[0].target")]
    [InlineData("""{"name":"t","fields":[{"name":"a","type":"relation","target":"users","required":true,"onDelete":"set-null"}]}""", "fields[0].onDelete")]
    [InlineData("""{"name":"t","fields":[{"name":"a","type":"number","default":"x"}]}""", "fields[0].default")]
    [InlineData("""{"name":"t","fields":[{"name":"a","type":"json","unique":true}]}""", "fields[0]")]
    [InlineData("""{"name":"t","fields":[{"name":"a","type":"text"}],"listRule":"nope = 1"}""", "listRule")]
    [InlineData("""{"name":"t","fields":[],"indexes":[{"fields":["nope"]}]}""", "indexes[0].fields")]
    [InlineData("""{"name":"t","type":"auth","fields":[]}""", "fields")]
    [InlineData("""{"name":"t","fields":[],"colour":"red"}""", "colour")]
    [InlineData("""{"name":"t","fields":[{"name":"a","type":"text","bogus":1}]}""", "fields[0].bogus")]
    [InlineData("""{"fields":[]}""", "body")]
    public async Task Invalid_definitions_are_422s_naming_the_part(string json, string field)
    {
        var body = await Admin.PostAsync("/api/collections", Json(json)).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        Assert.Contains(field, body.DetailFields());
        Assert.False(Directory.Exists(Path.Combine(_app.DataDirectory, "migrations")) &&
                     Directory.GetFiles(Path.Combine(_app.DataDirectory, "migrations")).Length > 0);
    }

    [Fact]
    public async Task Patch_adds_and_removes_fields_keeping_records()
    {
        await _app.CreateCollectionAsync("""{"name":"items","fields":[{"name":"name","type":"text","required":true},{"name":"old","type":"text"}],"listRule":"","viewRule":""}""");
        var item = await _app.CreateRecordAsync("items", new { name = "a", old = "gone soon" });
        string id = item.GetProperty("id").GetString()!;

        await Admin.PatchAsync("/api/collections/items", Json("""
            {"fields":[{"name":"name","type":"text","required":true},{"name":"qty","type":"number","integer":true,"required":true,"default":1},
                       {"name":"code","type":"text","unique":true}]}
            """)).ShouldBe(HttpStatusCode.OK);
        var after = (await _app.Anonymous.GetAsync($"/api/items/{id}").ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal("a", after.GetProperty("name").GetString());
        Assert.Equal(1, after.GetProperty("qty").GetInt64());
        Assert.False(after.TryGetProperty("old", out _));
        await Admin.PostAsync("/api/items", Json("""{"name":"b","old":"x"}""")).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");

        // The unique index is real: duplicates conflict.
        await _app.CreateRecordAsync("items", new { name = "b", code = "c1" });
        await Admin.PostAsync("/api/items", Json("""{"name":"c","code":"c1"}""")).ShouldBe(HttpStatusCode.Conflict, "CONFLICT");
    }

    [Fact]
    public async Task Patch_refuses_changes_that_existing_records_cannot_meet()
    {
        await _app.CreateCollectionAsync("""{"name":"items","fields":[{"name":"name","type":"text"}],"listRule":""}""");
        await _app.CreateRecordAsync("items", new { name = "same" });
        await _app.CreateRecordAsync("items", new { name = "same" });

        await Admin.PatchAsync("/api/collections/items", Json("""{"fields":[{"name":"name","type":"text"},{"name":"must","type":"text","required":true}]}"""))
            .ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        await Admin.PatchAsync("/api/collections/items", Json("""{"fields":[{"name":"name","type":"text","unique":true}]}"""))
            .ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        await Admin.PatchAsync("/api/collections/items", Json("""{"fields":[{"name":"name","type":"number"}]}"""))
            .ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        await Admin.PatchAsync("/api/collections/items", Json("""{"name":"renamed"}"""))
            .ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        await Admin.PatchAsync("/api/collections/nope", Json("""{}""")).ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");

        var list = await _app.Anonymous.GetAsync("/api/items").ShouldBe(HttpStatusCode.OK);
        Assert.Equal(2, list.GetProperty("meta").GetProperty("total").GetInt64());
        var definition = await Admin.GetAsync("/api/collections/items").ShouldBe(HttpStatusCode.OK);
        Assert.Single(definition.GetProperty("data").GetProperty("fields").EnumerateArray());
    }

    [Fact]
    public async Task Soft_delete_and_rules_can_be_switched_and_take_effect()
    {
        await _app.CreateCollectionAsync("""{"name":"articles","fields":[{"name":"title","type":"text","required":true}],"listRule":"","viewRule":"","createRule":"","deleteRule":""}""");
        var doc = await _app.CreateRecordAsync("articles", new { title = "a" });
        await Admin.PatchAsync("/api/collections/articles", Json("""{"softDelete":true}""")).ShouldBe(HttpStatusCode.OK);
        using (var deleted = await _app.Anonymous.DeleteAsync($"/api/articles/{doc.GetProperty("id").GetString()}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        // Switching soft delete off would bring deleted records back; it is refused while any exist.
        await Admin.PatchAsync("/api/collections/articles", Json("""{"softDelete":false}""")).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");

        await Admin.PatchAsync("/api/collections/articles", Json("""{"listRule":null}""")).ShouldBe(HttpStatusCode.OK);
        await _app.Anonymous.GetAsync("/api/articles").ShouldBe(HttpStatusCode.Forbidden, "FORBIDDEN");
        await Admin.PatchAsync("/api/collections/articles", Json("""{"listRule":"title = 'b'"}""")).ShouldBe(HttpStatusCode.OK);
        await _app.CreateRecordAsync("articles", new { title = "b" });
        await _app.CreateRecordAsync("articles", new { title = "c" });
        var visible = await _app.Anonymous.GetAsync("/api/articles").ShouldBe(HttpStatusCode.OK);
        Assert.Equal(1, visible.GetProperty("meta").GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Relations_change_their_on_delete_action()
    {
        await _app.CreateCollectionAsync("""{"name":"owners","fields":[{"name":"n","type":"text"}],"listRule":"","deleteRule":""}""");
        await _app.CreateCollectionAsync("""{"name":"pets","fields":[{"name":"owner","type":"relation","target":"owners"}],"listRule":""}""");
        var owner = await _app.CreateRecordAsync("owners", new { n = "o" });
        string ownerId = owner.GetProperty("id").GetString()!;
        await _app.CreateRecordAsync("pets", new { owner = ownerId });
        await _app.Anonymous.DeleteAsync($"/api/owners/{ownerId}").ShouldBe(HttpStatusCode.Conflict, "CONFLICT");

        await Admin.PatchAsync("/api/collections/pets", Json("""{"fields":[{"name":"owner","type":"relation","target":"owners","onDelete":"set-null"}]}""")).ShouldBe(HttpStatusCode.OK);
        using (var deleted = await _app.Anonymous.DeleteAsync($"/api/owners/{ownerId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        var pets = await _app.Anonymous.GetAsync("/api/pets").ShouldBe(HttpStatusCode.OK);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, pets.GetProperty("data")[0].GetProperty("owner").ValueKind);
    }

    [Fact]
    public async Task Deleting_a_collection_drops_it_unless_another_points_at_it()
    {
        await _app.CreateCollectionAsync("""{"name":"owners","fields":[]}""");
        await _app.CreateCollectionAsync("""{"name":"pets","fields":[{"name":"owner","type":"relation","target":"owners"}],"indexes":[{"fields":["owner","created_at"],"unique":false}]}""");
        await Admin.DeleteAsync("/api/collections/owners").ShouldBe(HttpStatusCode.Conflict, "CONFLICT");
        using (var deleted = await Admin.DeleteAsync("/api/collections/pets"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        await _app.Anonymous.GetAsync("/api/pets").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
        await Admin.DeleteAsync("/api/collections/pets").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
        await _app.CreateCollectionAsync("""{"name":"pets","fields":[]}""");
    }
}

public sealed class CollectionsApiTests_Sqlite() : CollectionsApiTests(DbKind.Sqlite);

public sealed class CollectionsApiTests_Postgres() : CollectionsApiTests(DbKind.Postgres);
