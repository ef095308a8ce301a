using System.Net;
using System.Reflection;
using System.Text.Json;
using Fundament.Http;
using Fundament.Observability;
using Fundament.Tests.Testing;
using static Fundament.Tests.OpenApi.OpenApiAssert;

namespace Fundament.Tests.OpenApi;

/// <summary>/openapi.json: generated from the live schema, valid OpenAPI 3.1, and as strict as the API it describes.</summary>
public sealed class OpenApiDocumentTests : IAsyncLifetime
{
    private const string Posts = """
        {"name":"posts","softDelete":true,
         "fields":[
           {"name":"title","type":"text","required":true,"min":1,"max":200,"pattern":"^[^<>]*$"},
           {"name":"views","type":"number","integer":true,"min":0,"default":0},
           {"name":"rating","type":"number","max":5.5},
           {"name":"published","type":"bool"},
           {"name":"tags","type":"select","multiple":true,"values":["news","tech"],"max":2},
           {"name":"status","type":"select","values":["draft","live"]},
           {"name":"meta","type":"json"},
           {"name":"site","type":"url"},
           {"name":"publish_at","type":"datetime"},
           {"name":"author","type":"relation","target":"users","onDelete":"cascade"}
         ],
         "listRule":"","viewRule":"author = @request.auth.id","createRule":"","updateRule":"author = @request.auth.id"}
        """;

    private TestApp _app = null!;

    public async ValueTask InitializeAsync() => _app = await TestApp.StartAsync(DbKind.Sqlite);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData(DbKind.Sqlite)]
    [InlineData(DbKind.Postgres)]
    public async Task Document_is_OpenAPI_3_1_with_the_users_collection(DbKind kind)
    {
        await using var app = kind == DbKind.Sqlite ? null : await TestApp.StartAsync(kind);
        using var response = await (app ?? _app).Anonymous.GetAsync("/openapi.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        var doc = await response.ReadJsonAsync();
        Assert.StartsWith("3.1", doc.GetProperty("openapi").GetString());
        Assert.Equal("Fundament", doc.GetProperty("info").GetProperty("title").GetString());
        Assert.Equal(HealthEndpoints.Version, doc.GetProperty("info").GetProperty("version").GetString());
        Assert.Contains("@request.auth", doc.GetProperty("info").GetProperty("description").GetString());
        Assert.Equal("/", doc.GetProperty("servers")[0].GetProperty("url").GetString());
        Assert.False(doc.TryGetProperty("success", out _), "the document is not wrapped in the envelope");

        var paths = doc.GetProperty("paths");
        foreach (var path in (string[])["/api/users", "/api/users/{id}", "/api/health", "/api/health/ready", "/api/collections", "/api/collections/{name}", "/api/batch"])
        {
            Assert.True(paths.TryGetProperty(path, out _), $"missing {path}");
        }

        Assert.False(paths.TryGetProperty("/api/users/{id}/restore", out _), "users has no soft delete");
        var schemes = doc.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("bearer", schemes.GetProperty("bearer").GetProperty("scheme").GetString());
        Assert.Equal("X-Api-Key", schemes.GetProperty("apiKey").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Password_is_write_only_in_the_input_and_absent_from_the_record()
    {
        var schemas = (await GetDocumentAsync(_app)).GetProperty("components").GetProperty("schemas");

        var record = schemas.GetProperty("UsersRecord");
        Assert.False(record.GetProperty("properties").TryGetProperty("password", out _));
        Assert.DoesNotContain("password", Strings(record.GetProperty("required")));
        Assert.Equal("email", record.GetProperty("properties").GetProperty("email").GetProperty("format").GetString());

        var input = schemas.GetProperty("UsersInput");
        var password = input.GetProperty("properties").GetProperty("password");
        Assert.True(password.GetProperty("writeOnly").GetBoolean());
        Assert.Equal(8, password.GetProperty("minLength").GetInt32());
        Assert.Equal(["email"], Strings(input.GetProperty("required")));
        Assert.False(input.GetProperty("additionalProperties").GetBoolean());
        Assert.False(input.GetProperty("properties").GetProperty("verified").GetProperty("default").GetBoolean());
    }

    [Fact]
    public async Task A_new_collection_gets_paths_and_schemas_typed_from_its_fields()
    {
        await _app.CreateCollectionAsync(Posts);
        var doc = await GetDocumentAsync(_app);
        var paths = doc.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/posts", out var list));
        Assert.True(paths.TryGetProperty("/api/posts/{id}/restore", out _));

        var record = doc.GetProperty("components").GetProperty("schemas").GetProperty("PostsRecord").GetProperty("properties");
        Assert.Equal("uuid", record.GetProperty("id").GetProperty("format").GetString());
        Assert.Equal("string", record.GetProperty("title").GetProperty("type").GetString());
        Assert.Equal(200, record.GetProperty("title").GetProperty("maxLength").GetInt32());
        Assert.Equal("^[^<>]*$", record.GetProperty("title").GetProperty("pattern").GetString());
        Assert.Equal(["integer", "null"], Strings(record.GetProperty("views").GetProperty("type")));
        Assert.Equal(0, record.GetProperty("views").GetProperty("minimum").GetInt32());
        Assert.Equal(["number", "null"], Strings(record.GetProperty("rating").GetProperty("type")));
        Assert.Equal(5.5, record.GetProperty("rating").GetProperty("maximum").GetDouble());
        Assert.Equal(["boolean", "null"], Strings(record.GetProperty("published").GetProperty("type")));
        Assert.Equal(["array", "null"], Strings(record.GetProperty("tags").GetProperty("type")));
        Assert.Equal(2, record.GetProperty("tags").GetProperty("maxItems").GetInt32());
        Assert.Equal(["news", "tech"], Strings(record.GetProperty("tags").GetProperty("items").GetProperty("enum")));
        Assert.Equal(["draft", "live", null], record.GetProperty("status").GetProperty("enum").EnumerateArray().Select(v => v.GetString()));
        Assert.False(record.GetProperty("meta").TryGetProperty("type", out _), "json fields take any value");
        Assert.Equal("uri", record.GetProperty("site").GetProperty("format").GetString());
        Assert.Equal("date-time", record.GetProperty("publish_at").GetProperty("format").GetString());
        Assert.Equal("uuid", record.GetProperty("author").GetProperty("format").GetString());
        Assert.Contains("`users`", record.GetProperty("author").GetProperty("description").GetString());
        Assert.Equal(["string", "null"], Strings(record.GetProperty("deleted_at").GetProperty("type")));
        Assert.Equal("#/components/schemas/UsersRecord",
            record.GetProperty("expand").GetProperty("properties").GetProperty("author").GetProperty("oneOf")[0].GetProperty("$ref").GetString());

        var input = doc.GetProperty("components").GetProperty("schemas").GetProperty("PostsInput");
        Assert.Equal(["title"], Strings(input.GetProperty("required")));
        Assert.False(input.GetProperty("properties").TryGetProperty("created_at", out _));

        var listParameters = list.GetProperty("get").GetProperty("parameters").EnumerateArray().Select(p => p.TryGetProperty("$ref", out var r) ? r.GetString() : p.GetProperty("name").GetString()).ToList();
        Assert.Contains("#/components/parameters/Filter", listParameters);
        Assert.Contains("#/components/parameters/Deleted", listParameters);
        Assert.Contains("expand", listParameters);
        Assert.Contains("anyone", list.GetProperty("get").GetProperty("description").GetString());

        var item = paths.GetProperty("/api/posts/{id}");
        Assert.Contains("author = @request.auth.id", item.GetProperty("put").GetProperty("description").GetString());
        Assert.Contains("superusers only", item.GetProperty("delete").GetProperty("description").GetString());
        Assert.True(item.GetProperty("delete").TryGetProperty("security", out _), "superuser-only operations require credentials");
        Assert.True(item.GetProperty("patch").GetProperty("requestBody").GetProperty("content").TryGetProperty("application/merge-patch+json", out _));
        Assert.True(item.GetProperty("patch").GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        Assert.True(item.GetProperty("put").GetProperty("responses").TryGetProperty("412", out _));
        Assert.True(item.GetProperty("get").GetProperty("responses").TryGetProperty("304", out _));
        Assert.True(item.GetProperty("delete").GetProperty("responses").TryGetProperty("204", out _));
        var created = list.GetProperty("post").GetProperty("responses").GetProperty("201");
        Assert.True(created.GetProperty("headers").TryGetProperty("Location", out _));
    }

    [Fact]
    public async Task Document_follows_schema_changes_and_revalidates_with_its_etag()
    {
        using var first = await _app.Anonymous.GetAsync("/openapi.json");
        var etag = first.Headers.ETag!;
        long version = (await first.ReadJsonAsync()).GetProperty("x-fundament-schema-version").GetInt64();

        using (var request = new HttpRequestMessage(HttpMethod.Get, "/openapi.json"))
        {
            request.Headers.IfNoneMatch.Add(etag);
            using var again = await _app.Anonymous.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        }

        await _app.CreateCollectionAsync(Posts);
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/openapi.json"))
        {
            request.Headers.IfNoneMatch.Add(etag);
            using var changed = await _app.Anonymous.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
            var doc = await changed.ReadJsonAsync();
            Assert.True(doc.GetProperty("x-fundament-schema-version").GetInt64() > version);
            Assert.True(doc.GetProperty("paths").TryGetProperty("/api/posts", out _));
        }

        await _app.Admin.PatchAsync("/api/collections/posts", TestApp.JsonContent("""{"softDelete":false}""")).ShouldBe(HttpStatusCode.OK);
        var patched = await GetDocumentAsync(_app);
        Assert.True(patched.GetProperty("paths").TryGetProperty("/api/posts", out _));
        Assert.False(patched.GetProperty("paths").TryGetProperty("/api/posts/{id}/restore", out _));
        Assert.False(patched.GetProperty("components").GetProperty("schemas").GetProperty("PostsRecord").GetProperty("properties").TryGetProperty("deleted_at", out _));

        await _app.Admin.DeleteAsync("/api/collections/posts").ShouldBe(HttpStatusCode.NoContent);
        var deleted = await GetDocumentAsync(_app);
        Assert.False(deleted.GetProperty("paths").TryGetProperty("/api/posts", out _));
        Assert.False(deleted.GetProperty("components").GetProperty("schemas").TryGetProperty("PostsRecord", out _));
    }

    [Fact]
    public async Task Every_ref_resolves_to_a_component()
    {
        await _app.CreateCollectionAsync(Posts);
        var doc = await GetDocumentAsync(_app);
        var refs = new List<string>();
        CollectRefs(doc, refs);

        Assert.NotEmpty(refs);
        foreach (var reference in refs.Distinct())
        {
            Assert.StartsWith("#/components/", reference);
            var target = doc;
            foreach (var segment in reference[2..].Split('/'))
            {
                Assert.True(target.ValueKind == JsonValueKind.Object && target.TryGetProperty(segment.Replace("~1", "/").Replace("~0", "~"), out target),
                    $"{reference} does not resolve");
            }
        }
    }

    [Fact]
    public async Task Operation_ids_are_unique_even_when_collection_names_look_alike()
    {
        await _app.CreateCollectionAsync(Posts);
        await _app.CreateCollectionAsync("""{"name":"blog_posts","fields":[{"name":"title","type":"text"}]}""");
        await _app.CreateCollectionAsync("""{"name":"blogposts","fields":[{"name":"title","type":"text"}]}""");
        await _app.CreateCollectionAsync("""{"name":"api_keys","fields":[{"name":"title","type":"text"}]}""");
        await _app.CreateCollectionAsync("""{"name":"current_account","fields":[{"name":"title","type":"text"}]}""");
        foreach (string name in (string[])["webhook_deliveries", "inbound_hooks", "inbound_hook_events", "collection"])
        {
            await _app.CreateCollectionAsync($$"""{"name":"{{name}}","fields":[{"name":"title","type":"text"}]}""");
        }

        var doc = await GetDocumentAsync(_app);

        var ids = new List<string>();
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "put" or "patch" or "delete"))
            {
                ids.Add(operation.Value.GetProperty("operationId").GetString()!);
                Assert.NotEmpty(operation.Value.GetProperty("tags").EnumerateArray());
                Assert.True(operation.Value.GetProperty("responses").EnumerateObject().Any(), $"{operation.Name} {path.Name} has no responses");
            }
        }

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Contains("listPosts", ids);
        Assert.Contains("listApiKeys", ids);
        Assert.Contains("listApiKeys2", ids);
        Assert.Contains("listWebhookDeliveries", ids);
        Assert.Contains("listWebhookDeliveries2", ids);
        Assert.Contains("listInboundHooks2", ids);
        Assert.Contains("listInboundHookEvents2", ids);
        Assert.Contains("login", ids);
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.TryGetProperty("BlogPostsRecord", out _));
        Assert.True(schemas.TryGetProperty("Blogposts2Record", out _));
        Assert.True(schemas.TryGetProperty("Collection2Patch", out _), "collection must not take the name of the built-in CollectionPatch");
        Assert.Contains("merge patch of a collection definition", schemas.GetProperty("CollectionPatch").GetProperty("description").GetString());
    }

    [Fact]
    public async Task Error_schema_lists_every_error_code_and_matches_real_errors()
    {
        var doc = await GetDocumentAsync(_app);
        var error = doc.GetProperty("components").GetProperty("schemas").GetProperty("Error").GetProperty("properties").GetProperty("error");
        var documented = Strings(error.GetProperty("properties").GetProperty("code").GetProperty("enum")).ToHashSet();
        var codes = typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);
        Assert.Equal(codes.Order(), documented.Order());

        var real = await _app.Anonymous.GetAsync("/api/nope/123").ShouldBe(HttpStatusCode.NotFound, ErrorCodes.NotFound);
        foreach (var name in Strings(error.GetProperty("required")))
        {
            Assert.True(real.GetProperty("error").TryGetProperty(name!, out _), $"errors carry {name}");
        }
    }

    [Fact]
    public async Task Collection_definition_schema_matches_what_the_collections_endpoint_returns()
    {
        var doc = await GetDocumentAsync(_app);
        var definition = doc.GetProperty("components").GetProperty("schemas").GetProperty("CollectionDefinition").GetProperty("properties");
        var users = (await _app.Admin.GetAsync("/api/collections/users").ShouldBe(HttpStatusCode.OK)).GetProperty("data");

        foreach (var property in users.EnumerateObject())
        {
            Assert.True(definition.TryGetProperty(property.Name, out _), $"CollectionDefinition lacks {property.Name}");
        }

        Assert.Contains(users.GetProperty("type").GetString(), Strings(definition.GetProperty("type").GetProperty("enum")));
    }

    private static void CollectRefs(JsonElement element, List<string> refs)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name == "$ref")
                    {
                        refs.Add(property.Value.GetString()!);
                    }
                    else
                    {
                        CollectRefs(property.Value, refs);
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    CollectRefs(item, refs);
                }

                break;
        }
    }
}
