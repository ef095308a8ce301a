using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Identity;

/// <summary>API keys: shown once, hashed at rest, scoped, expiring and revocable; on SQLite and PostgreSQL.</summary>
public abstract class ApiKeysApiTests(DbKind kind) : IAsyncLifetime
{
    private TestApp _app = null!;

    public async ValueTask InitializeAsync()
    {
        _app = await TestApp.StartAsync(kind);
        await _app.CreateCollectionAsync("""
            {"name":"notes","fields":[{"name":"text","type":"text"},{"name":"owner","type":"relation","target":"users","onDelete":"cascade"}],
             "listRule":"owner = @request.auth.id","viewRule":"owner = @request.auth.id","createRule":"owner = @request.auth.id",
             "updateRule":"owner = @request.auth.id","deleteRule":"owner = @request.auth.id"}
            """);
        await _app.CreateCollectionAsync("""{"name":"secrets","fields":[{"name":"text","type":"text"}]}""");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task<JsonElement> CreateKeyAsync(HttpClient client, object body) =>
        (await client.PostAsJsonAsync("/api/keys", body).ShouldBe(HttpStatusCode.Created)).GetProperty("data");

    private HttpClient KeyClient(string key, bool header = false)
    {
        var client = header ? _app.ClientWithToken("unused") : _app.ClientWithToken(key);
        if (header)
        {
            client.DefaultRequestHeaders.Authorization = null;
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        return client;
    }

    [Fact]
    public async Task A_user_key_acts_as_the_user_within_its_scopes()
    {
        var user = await _app.CreateRecordAsync("users", new { email = "ann@example.com", password = "ann password 1" });
        string userId = user.GetProperty("id").GetString()!;
        using var ann = _app.ClientWithToken(await _app.SignInAsync("/api/auth/login", "ann@example.com", "ann password 1"));
        var readKey = await CreateKeyAsync(ann, new { name = "reader", scopes = new[] { "notes:read" } });
        string secret = readKey.GetProperty("key").GetString()!;
        Assert.StartsWith("fk_", secret);

        await _app.CreateRecordAsync("notes", new { text = "mine", owner = userId });
        await _app.CreateRecordAsync("notes", new { text = "nobody's" });

        using var reader = KeyClient(secret);
        var notes = await reader.GetAsync("/api/notes").ShouldBe(HttpStatusCode.OK);
        Assert.Equal(["mine"], notes.GetProperty("data").EnumerateArray().Select(n => n.GetProperty("text").GetString()));
        await reader.PostAsJsonAsync("/api/notes", new { text = "x", owner = userId }).ShouldBe(HttpStatusCode.Forbidden, "FORBIDDEN");
        await reader.GetAsync("/api/users").ShouldBe(HttpStatusCode.Forbidden, "FORBIDDEN");
        await reader.PostAsJsonAsync("/api/keys", new { name = "more", scopes = new[] { "read" } }).ShouldBe(HttpStatusCode.Forbidden, "FORBIDDEN");
        await reader.PostAsJsonAsync("/api/batch", new { requests = new[] { new { method = "POST", url = "/api/notes", body = new { text = "x" } } } })
            .ShouldBe(HttpStatusCode.Forbidden, "FORBIDDEN");

        using var viaHeader = KeyClient(secret, header: true);
        await viaHeader.GetAsync("/api/notes").ShouldBe(HttpStatusCode.OK);

        var list = await ann.GetAsync("/api/keys").ShouldBe(HttpStatusCode.OK);
        var listed = list.GetProperty("data")[0];
        Assert.False(listed.TryGetProperty("key", out _));
        Assert.NotEqual(JsonValueKind.Null, listed.GetProperty("lastUsedAt").ValueKind);
    }

    [Fact]
    public async Task Revoked_expired_and_forged_keys_are_401s()
    {
        var key = await CreateKeyAsync(_app.Admin, new { name = "ci", scopes = new[] { "read" } });
        string secret = key.GetProperty("key").GetString()!;
        using (var client = KeyClient(secret))
        {
            await client.GetAsync("/api/secrets").ShouldBe(HttpStatusCode.OK);
            await client.GetAsync("/api/collections").ShouldBe(HttpStatusCode.Forbidden, "FORBIDDEN");
        }

        using (var forged = KeyClient(secret[..^3] + "abc"))
        {
            await forged.GetAsync("/api/secrets").ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        using (var revoke = await _app.Admin.DeleteAsync($"/api/keys/{key.GetProperty("id").GetString()}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        using (var revoked = KeyClient(secret))
        {
            await revoked.GetAsync("/api/secrets").ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        await _app.Admin.DeleteAsync($"/api/keys/{key.GetProperty("id").GetString()}").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");

        string superuserId = (await _app.Admin.GetAsync("/api/auth/me").ShouldBe(HttpStatusCode.OK)).GetProperty("data").GetProperty("id").GetString()!;
        var (_, expiredSecret) = await _app.Get<Fundament.Identity.ApiKeyStore>().CreateAsync(
            new Fundament.Identity.TokenSubject("_superusers", superuserId), "old", ["read"], DateTime.UtcNow.AddSeconds(-1), CancellationToken.None);
        using (var expired = KeyClient(expiredSecret))
        {
            await expired.GetAsync("/api/secrets").ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        foreach (var garbage in new[] { "fk_", "fk_nounderscore", "fk_a_b", "fk_" + new string('x', 300) })
        {
            using var client = KeyClient(garbage, header: true);
            await client.GetAsync("/api/secrets").ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }
    }

    [Fact]
    public async Task Every_issued_key_verifies_even_when_its_lookup_part_contains_an_underscore()
    {
        var store = _app.Get<Fundament.Identity.ApiKeyStore>();
        var owner = new Fundament.Identity.TokenSubject("_superusers", "owner");
        for (int i = 0; i < 64; i++)
        {
            var (key, secret) = await store.CreateAsync(owner, "k" + i, ["read"], null, CancellationToken.None);
            Assert.Equal(key.Id, (await store.VerifyAsync(secret, CancellationToken.None))?.Id);
        }
    }

    [Fact]
    public async Task An_admin_key_manages_the_schema_and_a_user_cannot_get_one()
    {
        var admin = await CreateKeyAsync(_app.Admin, new { name = "deploy", scopes = new[] { "admin" }, expiresAt = DateTime.UtcNow.AddDays(1).ToString("O") });
        using (var client = KeyClient(admin.GetProperty("key").GetString()!))
        {
            await client.GetAsync("/api/collections").ShouldBe(HttpStatusCode.OK);
        }

        await _app.CreateRecordAsync("users", new { email = "bob@example.com", password = "bob password 1" });
        using var bob = _app.ClientWithToken(await _app.SignInAsync("/api/auth/login", "bob@example.com", "bob password 1"));
        await bob.PostAsJsonAsync("/api/keys", new { name = "root", scopes = new[] { "admin" } }).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        var invalid = await bob.PostAsJsonAsync("/api/keys", new { scopes = new[] { "everything" }, expiresAt = "2000-01-01T00:00:00Z", color = 1 })
            .ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        Assert.Equal(["color", "expiresAt", "name", "scopes"], invalid.DetailFields().Distinct().Order());
        await _app.Anonymous.PostAsJsonAsync("/api/keys", new { name = "x", scopes = new[] { "read" } }).ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        // A user cannot revoke someone else's key.
        await bob.DeleteAsync($"/api/keys/{admin.GetProperty("id").GetString()}").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
    }
}

public sealed class ApiKeysApiTests_Sqlite() : ApiKeysApiTests(DbKind.Sqlite);

public sealed class ApiKeysApiTests_Postgres() : ApiKeysApiTests(DbKind.Postgres);
