using System.Net;
using System.Text;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Records;

/// <summary>
/// Random and hostile request shapes: whatever arrives, the answer is a documented status in the
/// envelope, never a 500, and a later read still works. Bounded: a fixed seed and request count.
/// </summary>
public abstract class HostileInputTests(DbKind kind) : IAsyncLifetime
{
    private const int Requests = 400;
    private TestApp _app = null!;

    public async ValueTask InitializeAsync()
    {
        // Hundreds of anonymous requests from one address: budgets would turn most into 429s and test less.
        _app = await TestApp.StartAsync(kind, new Dictionary<string, string?> { ["Fundament:RateLimits"] = "off" });
        await _app.CreateCollectionAsync("""
            {"name":"things","softDelete":true,"fields":[
              {"name":"name","type":"text","max":50},{"name":"n","type":"number","integer":true},{"name":"x","type":"number"},
              {"name":"ok","type":"bool"},{"name":"at","type":"datetime"},{"name":"data","type":"json"},
              {"name":"kind","type":"select","values":["a","b"]},{"name":"kinds","type":"select","multiple":true,"values":["a","b"]},
              {"name":"mail","type":"email"},{"name":"link","type":"url"},{"name":"owner","type":"relation","target":"users","onDelete":"set-null"}],
             "listRule":"","viewRule":"","createRule":"","updateRule":"","deleteRule":""}
            """);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private static readonly string[] Values =
    [
        "null", "true", "0", "-1", "1e308", "-1e308", "1e1000000", "{\"k\":-1e1000000}", "1.5", "9223372036854775808", "\"\"", "\"a\"", "\"b\"", "\"x\\u0000y\"",
        "\"\\ud800\"", "\"2026-01-01\"", "\"2026-13-45T99:99\"", "\"a@b.co\"", "\"http://x.y\"", "[]", "[\"a\",\"a\"]", "[\"a\",\"b\"]",
        "{}", "{\"k\":\"\\u0000\"}", "[[[[[[1]]]]]]", "\"" + new string('z', 300) + "\"", "\"00000000-0000-0000-0000-000000000000\"", "\"'; DROP TABLE things; --\"",
    ];

    private static readonly string[] Names = ["name", "n", "x", "ok", "at", "data", "kind", "kinds", "mail", "link", "owner", "id", "created_at", "deleted_at", "expand", "ünï", ""];

    private static readonly string[] Filters =
    [
        "n > 1", "name ~ '%'", "x = 1.5 || ok = true", "at > @now", "kinds ?= 'a'", "owner.email = 'a'", "owner.name ~ 'x'", "id = 'x'", "id ~ '0'",
        "data = null", "(((n = 1)))", "!(ok = false)", "n = 99999999999999999999", "at < '2020-01-01'", "name = \"\\\"\"", "@request.auth.id = ''",
        "@request.body.x = 1", "owner = @request.auth.id", "kind != 'a'", "link !~ 'http'", "' OR 1=1 --", "n = 1; DELETE FROM things", "x > -1e309",
    ];

    [Fact]
    public async Task A_json_number_beyond_the_database_range_is_refused_not_a_server_error()
    {
        using var response = await _app.Anonymous.PostAsync("/api/things", TestApp.JsonContent("""{"data":{"k":1e1000000}}"""));
        // SQLite keeps JSON as text; PostgreSQL's jsonb refuses the number, which must be a 422, not a 500.
        Assert.Equal(kind == DbKind.Postgres ? HttpStatusCode.UnprocessableEntity : HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task No_request_shape_produces_a_server_error()
    {
        var random = new Random(20261121);
        var ids = new List<string>();
        for (int i = 0; i < Requests; i++)
        {
            var body = new StringBuilder("{");
            int count = random.Next(0, 5);
            for (int f = 0; f < count; f++)
            {
                body.Append(f == 0 ? "" : ",").Append('"').Append(Names[random.Next(Names.Length)]).Append("\":").Append(Values[random.Next(Values.Length)]);
            }

            body.Append('}');
            string id = ids.Count > 0 && random.Next(3) > 0 ? ids[random.Next(ids.Count)] : Guid.NewGuid().ToString();
            using var request = (random.Next(8)) switch
            {
                0 or 1 => new HttpRequestMessage(HttpMethod.Post, "/api/things") { Content = TestApp.JsonContent(body.ToString()) },
                2 => new HttpRequestMessage(HttpMethod.Patch, $"/api/things/{id}") { Content = TestApp.JsonContent(body.ToString()) },
                3 => new HttpRequestMessage(HttpMethod.Put, $"/api/things/{id}") { Content = TestApp.JsonContent(body.ToString()) },
                4 => new HttpRequestMessage(HttpMethod.Delete, $"/api/things/{id}"),
                5 => new HttpRequestMessage(HttpMethod.Post, $"/api/things/{id}/restore"),
                6 => new HttpRequestMessage(HttpMethod.Get, "/api/things?filter=" + Uri.EscapeDataString(Filters[random.Next(Filters.Length)]) +
                                                              "&sort=" + (random.Next(2) == 0 ? "-n,name" : "at") + "&expand=owner&limit=" + random.Next(-1, 600)),
                _ => new HttpRequestMessage(HttpMethod.Post, "/api/batch")
                {
                    Content = TestApp.JsonContent($$$"""{"requests":[{"method":"POST","url":"/api/things","body":{{{body}}}},{"method":"PATCH","url":"/api/things/{{{id}}}","body":{{{body}}}}]}"""),
                },
            };
            using var response = await _app.Anonymous.SendAsync(request);
            string text = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode < 500, $"{request.Method} {request.RequestUri} {body} → {(int)response.StatusCode} {text}");
            if (response.StatusCode == HttpStatusCode.Created && request.RequestUri!.AbsolutePath == "/api/things")
            {
                ids.Add(response.Headers.Location!.ToString().Split('/')[^1]);
            }
        }

        Assert.NotEmpty(ids);
        await _app.Anonymous.GetAsync("/api/things?limit=500").ShouldBe(HttpStatusCode.OK);
    }
}

public sealed class HostileInputTests_Sqlite() : HostileInputTests(DbKind.Sqlite);

public sealed class HostileInputTests_Postgres() : HostileInputTests(DbKind.Postgres);
