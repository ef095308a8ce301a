using System.Net;
using System.Text.Json;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Records;

/// <summary>The records API end to end; every test runs on SQLite and on PostgreSQL.</summary>
public abstract class RecordsApiTests(DbKind kind) : IAsyncLifetime
{
    private TestApp _app = null!;

    protected TestApp App => _app;

    private const string Posts = """
        {"name":"posts","softDelete":true,
         "fields":[
           {"name":"title","type":"text","required":true,"min":1,"max":100},
           {"name":"slug","type":"text","unique":true,"pattern":"^[a-z0-9-]+$"},
           {"name":"views","type":"number","integer":true,"min":0,"default":0},
           {"name":"rating","type":"number"},
           {"name":"published","type":"bool","default":false},
           {"name":"tags","type":"select","multiple":true,"values":["news","tech","life"]},
           {"name":"status","type":"select","values":["draft","live"]},
           {"name":"meta","type":"json"},
           {"name":"site","type":"url"},
           {"name":"contact","type":"email"},
           {"name":"publish_at","type":"datetime"},
           {"name":"author","type":"relation","target":"users","onDelete":"cascade"}
         ],
         "listRule":"","viewRule":"","createRule":"","updateRule":"","deleteRule":""}
        """;

    public async ValueTask InitializeAsync()
    {
        _app = await TestApp.StartAsync(kind);
        await _app.CreateCollectionAsync(Posts);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private HttpClient Client => _app.Anonymous;

    private static StringContent Json(string json) => TestApp.JsonContent(json);

    [Fact]
    public async Task Create_returns_201_with_location_system_fields_and_defaults()
    {
        using var response = await Client.PostAsync("/api/posts", Json("""{"title":"Hello","tags":["news","tech"],"meta":{"a":[1,2]}}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var data = (await response.ReadJsonAsync()).GetProperty("data");
        string id = data.GetProperty("id").GetString()!;
        Assert.Equal($"/api/posts/{id}", response.Headers.Location!.ToString());
        Assert.Equal(7, Guid.Parse(id).Version);
        Assert.Equal("Hello", data.GetProperty("title").GetString());
        Assert.Equal(0, data.GetProperty("views").GetInt64());
        Assert.False(data.GetProperty("published").GetBoolean());
        Assert.Equal(["news", "tech"], data.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(2, data.GetProperty("meta").GetProperty("a").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, data.GetProperty("deleted_at").ValueKind);
        Assert.EndsWith("Z", data.GetProperty("created_at").GetString());
        Assert.NotNull(response.Headers.ETag);
    }

    [Fact]
    public async Task Get_returns_the_record_with_an_etag_and_304_for_if_none_match()
    {
        var created = await _app.CreateRecordAsync("posts", new { title = "One" });
        string id = created.GetProperty("id").GetString()!;
        using var first = await Client.GetAsync($"/api/posts/{id}");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var etag = first.Headers.ETag!;
        Assert.False(etag.IsWeak);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/api/posts/{id}");
        conditional.Headers.IfNoneMatch.Add(etag);
        using var notModified = await Client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        await Client.GetAsync("/api/posts/" + Guid.NewGuid()).ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
        await Client.GetAsync("/api/posts/not-a-uuid").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
        await Client.GetAsync("/api/nothing/" + id).ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task Invalid_input_lists_every_failing_field_and_writes_nothing()
    {
        var body = await Client.PostAsync("/api/posts", Json("""
            {"title":"","slug":"Not Valid","views":-1,"rating":"x","published":"yes","tags":["news","news"],
             "status":"gone","site":"ftp://x","contact":"nope","publish_at":"yesterday","author":"123","bogus":1,"created_at":"2020-01-01"}
            """)).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        var fields = body.DetailFields().ToHashSet();
        foreach (var field in new[] { "title", "slug", "views", "rating", "published", "tags", "status", "site", "contact", "publish_at", "author", "bogus", "created_at" })
        {
            Assert.Contains(field, fields);
        }

        var list = await Client.GetAsync("/api/posts").ShouldBe(HttpStatusCode.OK);
        Assert.Equal(0, list.GetProperty("meta").GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Bad_bodies_get_the_documented_errors()
    {
        await Client.PostAsync("/api/posts", Json("{\"title\":")).ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        await Client.PostAsync("/api/posts", Json("[1,2]")).ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        await Client.PostAsync("/api/posts", Json("")).ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        await Client.PostAsync("/api/posts", new StringContent("title=x", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"))
            .ShouldBe(HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE");
        string deep = "{\"meta\":" + new string('[', 100) + new string(']', 100) + ",\"title\":\"x\"}";
        await Client.PostAsync("/api/posts", Json(deep)).ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        var badUtf8 = new ByteArrayContent([(byte)'{', (byte)'"', (byte)'t', (byte)'i', (byte)'t', (byte)'l', (byte)'e', (byte)'"', (byte)':', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)'}']);
        badUtf8.Headers.ContentType = new("application/json");
        await Client.PostAsync("/api/posts", badUtf8).ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        string huge = "{\"title\":\"" + new string('a', 2 * 1024 * 1024) + "\"}";
        await Client.PostAsync("/api/posts", Json(huge)).ShouldBe(HttpStatusCode.RequestEntityTooLarge, "PAYLOAD_TOO_LARGE");
        var list = await Client.GetAsync("/api/posts").ShouldBe(HttpStatusCode.OK);
        Assert.Equal(0, list.GetProperty("meta").GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Unknown_routes_and_methods_answer_in_the_envelope()
    {
        await Client.GetAsync("/api/no/such/route/here").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
        await Client.PutAsync("/api/posts", Json("{}")).ShouldBe(HttpStatusCode.MethodNotAllowed, "METHOD_NOT_ALLOWED");
        await Client.GetAsync("/api/_collections").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task Unique_fields_conflict_with_409_naming_the_field()
    {
        await _app.CreateRecordAsync("posts", new { title = "A", slug = "same" });
        var body = await Client.PostAsync("/api/posts", Json("""{"title":"B","slug":"same"}""")).ShouldBe(HttpStatusCode.Conflict, "CONFLICT");
        Assert.Contains("slug", body.DetailFields());
    }

    [Fact]
    public async Task Put_replaces_and_patch_merges()
    {
        var created = await _app.CreateRecordAsync("posts", new { title = "A", rating = 4.5, meta = new { keep = 1, drop = 2, nested = new { x = 1 } } });
        string id = created.GetProperty("id").GetString()!;

        var patched = (await Client.PatchAsync($"/api/posts/{id}", Json("""{"title":"B","meta":{"drop":null,"nested":{"y":2}}}""")).ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal("B", patched.GetProperty("title").GetString());
        Assert.Equal(4.5, patched.GetProperty("rating").GetDouble());
        var meta = patched.GetProperty("meta");
        Assert.Equal(1, meta.GetProperty("keep").GetInt32());
        Assert.False(meta.TryGetProperty("drop", out _));
        Assert.Equal(1, meta.GetProperty("nested").GetProperty("x").GetInt32());
        Assert.Equal(2, meta.GetProperty("nested").GetProperty("y").GetInt32());
        Assert.NotEqual(created.GetProperty("updated_at").GetString(), patched.GetProperty("updated_at").GetString());
        Assert.Equal(created.GetProperty("created_at").GetString(), patched.GetProperty("created_at").GetString());

        var replaced = (await Client.PutAsync($"/api/posts/{id}", Json("""{"title":"C"}""")).ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal("C", replaced.GetProperty("title").GetString());
        Assert.Equal(JsonValueKind.Null, replaced.GetProperty("rating").ValueKind);
        Assert.Equal(JsonValueKind.Null, replaced.GetProperty("meta").ValueKind);

        await Client.PutAsync($"/api/posts/{id}", Json("""{"views":3}""")).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        await Client.PatchAsync($"/api/posts/{id}", Json("""{"title":null}""")).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        await Client.PatchAsync($"/api/posts/{id}", Json($$"""{"id":"{{Guid.NewGuid()}}"}""")).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        await Client.PatchAsync($"/api/posts/{Guid.NewGuid()}", Json("""{"title":"x"}""")).ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task If_match_guards_writes_with_412()
    {
        var created = await _app.CreateRecordAsync("posts", new { title = "A" });
        string id = created.GetProperty("id").GetString()!;
        using var get = await Client.GetAsync($"/api/posts/{id}");
        string etag = get.Headers.ETag!.Tag;

        using var stale = new HttpRequestMessage(HttpMethod.Patch, $"/api/posts/{id}") { Content = Json("""{"title":"B"}""") };
        stale.Headers.TryAddWithoutValidation("If-Match", "\"stale\"");
        await Client.SendAsync(stale).ShouldBe(HttpStatusCode.PreconditionFailed, "PRECONDITION_FAILED");

        using var fresh = new HttpRequestMessage(HttpMethod.Patch, $"/api/posts/{id}") { Content = Json("""{"title":"B"}""") };
        fresh.Headers.TryAddWithoutValidation("If-Match", etag);
        await Client.SendAsync(fresh).ShouldBe(HttpStatusCode.OK);

        using var reused = new HttpRequestMessage(HttpMethod.Delete, $"/api/posts/{id}");
        reused.Headers.TryAddWithoutValidation("If-Match", etag);
        await Client.SendAsync(reused).ShouldBe(HttpStatusCode.PreconditionFailed, "PRECONDITION_FAILED");
    }

    [Fact]
    public async Task Soft_delete_hides_the_record_until_restored()
    {
        var created = await _app.CreateRecordAsync("posts", new { title = "A", slug = "a" });
        string id = created.GetProperty("id").GetString()!;
        using (var deleted = await Client.DeleteAsync($"/api/posts/{id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        await Client.GetAsync($"/api/posts/{id}").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
        await Client.DeleteAsync($"/api/posts/{id}").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Equal(0, (await Client.GetAsync("/api/posts").ShouldBe(HttpStatusCode.OK)).GetProperty("meta").GetProperty("total").GetInt64());
        await Client.GetAsync("/api/posts?deleted=only").ShouldBe(HttpStatusCode.Forbidden, "FORBIDDEN");
        var only = await _app.Admin.GetAsync("/api/posts?deleted=only").ShouldBe(HttpStatusCode.OK);
        Assert.Equal(id, only.GetProperty("data")[0].GetProperty("id").GetString());

        // A deleted record's unique value is free again, and restoring then conflicts.
        var second = await _app.CreateRecordAsync("posts", new { title = "B", slug = "a" });
        await Client.PostAsync($"/api/posts/{id}/restore", null).ShouldBe(HttpStatusCode.Conflict, "CONFLICT");
        await Client.DeleteAsync($"/api/posts/{second.GetProperty("id").GetString()}?permanent=true").ShouldBe(HttpStatusCode.Forbidden, "FORBIDDEN");
        using (var purge = await _app.Admin.DeleteAsync($"/api/posts/{second.GetProperty("id").GetString()}?permanent=true"))
        {
            Assert.Equal(HttpStatusCode.NoContent, purge.StatusCode);
        }

        var restored = (await Client.PostAsync($"/api/posts/{id}/restore", null).ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal(JsonValueKind.Null, restored.GetProperty("deleted_at").ValueKind);
        await Client.GetAsync($"/api/posts/{id}").ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task List_filters_sorts_selects_fields_and_pages()
    {
        for (int i = 1; i <= 7; i++)
        {
            await _app.CreateRecordAsync("posts", new { title = $"Post {i}", views = i * 10, published = i % 2 == 0, tags = i % 3 == 0 ? new[] { "tech" } : new[] { "life" } });
        }

        var filtered = await Client.GetAsync("/api/posts?filter=" + Uri.EscapeDataString("published = true && views >= 40") + "&sort=-views&fields=title,views")
            .ShouldBe(HttpStatusCode.OK);
        var titles = filtered.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("title").GetString()).ToList();
        Assert.Equal(["Post 6", "Post 4"], titles);
        Assert.False(filtered.GetProperty("data")[0].TryGetProperty("id", out _));
        Assert.Equal(2, filtered.GetProperty("meta").GetProperty("total").GetInt64());

        var tech = await Client.GetAsync("/api/posts?filter=" + Uri.EscapeDataString("tags ?= 'tech'") + "&sort=title").ShouldBe(HttpStatusCode.OK);
        Assert.Equal(["Post 3", "Post 6"], tech.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("title").GetString()));

        var contains = await Client.GetAsync("/api/posts?filter=" + Uri.EscapeDataString("title ~ 'POST 7'")).ShouldBe(HttpStatusCode.OK);
        Assert.Single(contains.GetProperty("data").EnumerateArray());

        var page2 = await Client.GetAsync("/api/posts?sort=views&limit=3&page=2").ShouldBe(HttpStatusCode.OK);
        Assert.Equal(["Post 4", "Post 5", "Post 6"], page2.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("title").GetString()));
        Assert.Equal(2, page2.GetProperty("meta").GetProperty("page").GetInt32());
        Assert.Equal(7, page2.GetProperty("meta").GetProperty("total").GetInt64());

        var noTotal = await Client.GetAsync("/api/posts?total=false").ShouldBe(HttpStatusCode.OK);
        Assert.False(noTotal.GetProperty("meta").TryGetProperty("total", out _));
    }

    [Fact]
    public async Task Cursor_pagination_walks_every_record_once_in_order()
    {
        for (int i = 0; i < 9; i++)
        {
            await _app.CreateRecordAsync("posts", new { title = $"T{i}", rating = i % 3 == 0 ? (double?)null : i % 4 });
        }

        foreach (var sort in new[] { "", "-rating", "rating,-title", "-created_at" })
        {
            var seen = new List<string>();
            string? cursor = string.Empty;
            int pages = 0;
            while (cursor is not null)
            {
                var page = await Client.GetAsync($"/api/posts?limit=2&sort={sort}&cursor={Uri.EscapeDataString(cursor)}").ShouldBe(HttpStatusCode.OK);
                seen.AddRange(page.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("title").GetString()!));
                var next = page.GetProperty("meta").GetProperty("nextCursor");
                cursor = next.ValueKind == JsonValueKind.Null ? null : next.GetString();
                Assert.True(++pages < 20);
            }

            var all = await Client.GetAsync($"/api/posts?limit=100&sort={sort}").ShouldBe(HttpStatusCode.OK);
            Assert.Equal(all.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("title").GetString()!), seen);
            Assert.Equal(9, seen.Distinct().Count());
        }

        var first = await Client.GetAsync("/api/posts?limit=2&cursor=&sort=title").ShouldBe(HttpStatusCode.OK);
        string other = first.GetProperty("meta").GetProperty("nextCursor").GetString()!;
        await Client.GetAsync($"/api/posts?limit=2&sort=-title&cursor={other}").ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        await Client.GetAsync("/api/posts?cursor=garbage!!").ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        await Client.GetAsync("/api/posts?cursor=&page=2").ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=501")]
    [InlineData("limit=abc")]
    [InlineData("page=0")]
    [InlineData("page=-1")]
    [InlineData("sort=nope")]
    [InlineData("fields=nope")]
    [InlineData("expand=title")]
    [InlineData("total=maybe")]
    [InlineData("filter=title%20%3D")]
    [InlineData("filter=nope%20%3D%201")]
    [InlineData("filter=views%20%3D%20'x'")]
    [InlineData("filter=title%20%3D%20''%3B%20DROP%20TABLE%20posts%3B%20--")]
    [InlineData("filter=1%3D1)%20OR%20(1%3D1")]
    [InlineData("limit=1&limit=2")]
    public async Task Bad_query_parameters_are_400s(string query)
    {
        var body = await Client.GetAsync("/api/posts?" + query).ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error").GetProperty("message").GetString()));
        await Client.GetAsync("/api/posts").ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Filter_errors_point_at_the_position()
    {
        var body = await Client.GetAsync("/api/posts?filter=" + Uri.EscapeDataString("title = 'a' && nope = 1")).ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        Assert.Contains("position 15", body.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Batch_applies_all_operations_or_none()
    {
        var existing = await _app.CreateRecordAsync("posts", new { title = "Existing" });
        string id = existing.GetProperty("id").GetString()!;
        string ok = $$$"""
            {"requests":[
              {"method":"POST","url":"/api/posts","body":{"title":"B1"}},
              {"method":"PATCH","url":"/api/posts/{{{id}}}","body":{"title":"Changed"}},
              {"method":"POST","url":"/api/posts","body":{"title":"B2"}}
            ]}
            """;
        var result = await Client.PostAsync("/api/batch", Json(ok)).ShouldBe(HttpStatusCode.OK);
        Assert.Equal([201, 200, 201], result.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("status").GetInt32()));

        string failing = $$$"""
            {"requests":[
              {"method":"POST","url":"/api/posts","body":{"title":"B3"}},
              {"method":"DELETE","url":"/api/posts/{{{id}}}"},
              {"method":"POST","url":"/api/posts","body":{"title":""}}
            ]}
            """;
        var error = await Client.PostAsync("/api/batch", Json(failing)).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        Assert.Contains("requests[2].title", error.DetailFields());
        var list = await Client.GetAsync("/api/posts?sort=title").ShouldBe(HttpStatusCode.OK);
        Assert.Equal(["B1", "B2", "Changed"], list.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("title").GetString()));

        await Client.PostAsync("/api/batch", Json("""{"requests":[]}""")).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        await Client.PostAsync("/api/batch", Json("""{"requests":[{"method":"GET","url":"/api/posts"}]}""")).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        await Client.PostAsync("/api/batch", Json("""{"requests":[{"method":"POST","url":"/etc/passwd","body":{}}]}""")).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        await Client.PostAsync("/api/batch", Json("""{"nope":1}""")).ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        string tooMany = "{\"requests\":[" + string.Join(',', Enumerable.Repeat("{\"method\":\"POST\",\"url\":\"/api/posts\",\"body\":{\"title\":\"x\"}}", 101)) + "]}";
        await Client.PostAsync("/api/batch", Json(tooMany)).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task Relations_are_checked_expanded_and_cascade()
    {
        var user = await _app.CreateRecordAsync("users", new { email = "a@example.com", name = "Ann" });
        string userId = user.GetProperty("id").GetString()!;
        var missing = await Client.PostAsync("/api/posts", Json($$"""{"title":"x","author":"{{Guid.NewGuid()}}"}""")).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        Assert.Contains("author", missing.DetailFields());

        for (int i = 0; i < 3; i++)
        {
            await _app.CreateRecordAsync("posts", new { title = $"P{i}", author = userId });
        }

        // Users are private by default (viewRule id = @request.auth.id): an anonymous expand shows nothing.
        var anonymous = await Client.GetAsync("/api/posts?expand=author").ShouldBe(HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, anonymous.GetProperty("data")[0].GetProperty("expand").GetProperty("author").ValueKind);
        var admin = await _app.Admin.GetAsync("/api/posts?expand=author").ShouldBe(HttpStatusCode.OK);
        var expanded = admin.GetProperty("data")[0].GetProperty("expand").GetProperty("author");
        Assert.Equal("Ann", expanded.GetProperty("name").GetString());
        Assert.False(expanded.TryGetProperty("password", out _));

        var filtered = await _app.Admin.GetAsync("/api/posts?filter=" + Uri.EscapeDataString("author.name = 'Ann'")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(3, filtered.GetProperty("meta").GetProperty("total").GetInt64());

        using (var deleteUser = await _app.Admin.DeleteAsync($"/api/users/{userId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleteUser.StatusCode);
        }

        var afterCascade = await _app.Admin.GetAsync("/api/posts?deleted=include").ShouldBe(HttpStatusCode.OK);
        Assert.Equal(0, afterCascade.GetProperty("meta").GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Default_users_collection_signs_up_hides_password_and_keeps_users_private()
    {
        var created = await Client.PostAsync("/api/users", Json("""{"name":"test","email":"Test@Example.com","password":"long enough pw"}""")).ShouldBe(HttpStatusCode.Created);
        var data = created.GetProperty("data");
        Assert.Equal("test@example.com", data.GetProperty("email").GetString());
        Assert.False(data.TryGetProperty("password", out _));
        var list = await Client.GetAsync("/api/users?limit=10").ShouldBe(HttpStatusCode.OK);
        Assert.Equal(0, list.GetProperty("data").GetArrayLength());
        await Client.GetAsync($"/api/users/{data.GetProperty("id").GetString()}").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
        await Client.PostAsync("/api/users", Json("""{"email":"test@example.com"}""")).ShouldBe(HttpStatusCode.Conflict, "CONFLICT");
        await Client.PostAsync("/api/users", Json("""{"email":"b@example.com","password":"short"}""")).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        await Client.GetAsync("/api/users?filter=" + Uri.EscapeDataString("password = 'x'")).ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        var all = await _app.Admin.GetAsync("/api/users").ShouldBe(HttpStatusCode.OK);
        Assert.Equal(1, all.GetProperty("meta").GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Request_ids_are_echoed_when_valid_and_replaced_when_not()
    {
        using var valid = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        valid.Headers.Add("X-Request-Id", "abc-123");
        using var echoed = await Client.SendAsync(valid);
        Assert.Equal("abc-123", echoed.Headers.GetValues("X-Request-Id").Single());

        using var invalid = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        invalid.Headers.TryAddWithoutValidation("X-Request-Id", "<script>");
        using var replaced = await Client.SendAsync(invalid);
        Assert.NotEqual("<script>", replaced.Headers.GetValues("X-Request-Id").Single());
    }
}

public sealed class RecordsApiTests_Sqlite() : RecordsApiTests(DbKind.Sqlite);

public sealed class RecordsApiTests_Postgres() : RecordsApiTests(DbKind.Postgres);
