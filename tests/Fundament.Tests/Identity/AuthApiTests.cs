using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Identity;

/// <summary>Sign-in, refresh rotation, sign-out and the caller a token stands for; on SQLite and PostgreSQL.</summary>
public abstract class AuthApiTests(DbKind kind) : IAsyncLifetime
{
    private TestApp _app = null!;

    public async ValueTask InitializeAsync() => _app = await TestApp.StartAsync(kind);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private HttpClient Anonymous => _app.Anonymous;

    private async Task<JsonElement> SignUpAndLogInAsync(string email, string password = "user password 1")
    {
        await Anonymous.PostAsJsonAsync("/api/users", new { email, password, name = email }).ShouldBe(HttpStatusCode.Created);
        return (await Anonymous.PostAsJsonAsync("/api/auth/login", new { email, password }).ShouldBe(HttpStatusCode.OK)).GetProperty("data");
    }

    [Fact]
    public async Task Login_returns_tokens_and_the_user_without_its_password()
    {
        var session = await SignUpAndLogInAsync("ann@example.com");
        Assert.Equal("Bearer", session.GetProperty("tokenType").GetString());
        Assert.Equal(15 * 60, session.GetProperty("expiresIn").GetInt32());
        Assert.StartsWith("frt_", session.GetProperty("refreshToken").GetString());
        Assert.Equal(3, session.GetProperty("accessToken").GetString()!.Split('.').Length);
        Assert.Equal("ann@example.com", session.GetProperty("user").GetProperty("email").GetString());
        Assert.False(session.GetProperty("user").TryGetProperty("password", out _));

        using var client = _app.ClientWithToken(session.GetProperty("accessToken").GetString()!);
        var me = await client.GetAsync("/api/auth/me").ShouldBe(HttpStatusCode.OK);
        Assert.Equal("ann@example.com", me.GetProperty("data").GetProperty("email").GetString());
        await Anonymous.GetAsync("/api/auth/me").ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Fact]
    public async Task Wrong_credentials_get_the_same_answer_whether_or_not_the_email_exists()
    {
        await SignUpAndLogInAsync("bob@example.com");
        var wrongPassword = await Anonymous.PostAsJsonAsync("/api/auth/login", new { email = "bob@example.com", password = "nope nope nope" })
            .ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        var unknownEmail = await Anonymous.PostAsJsonAsync("/api/auth/login", new { email = "nobody@example.com", password = "nope nope nope" })
            .ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        Assert.Equal(wrongPassword.GetProperty("error").GetProperty("message").GetString(), unknownEmail.GetProperty("error").GetProperty("message").GetString());
        await Anonymous.PostAsJsonAsync("/api/auth/login", new { email = "bob@example.com" }).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        await Anonymous.PostAsJsonAsync("/api/auth/login", new { email = "x", password = "y", collection = "posts" }).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        await Anonymous.PostAsJsonAsync("/api/admin/auth/login", new { email = "bob@example.com", password = "user password 1" })
            .ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Fact]
    public async Task Refresh_rotates_and_reusing_a_spent_token_revokes_the_family()
    {
        var session = await SignUpAndLogInAsync("cy@example.com");
        string first = session.GetProperty("refreshToken").GetString()!;
        var rotated = (await Anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = first }).ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        string second = rotated.GetProperty("refreshToken").GetString()!;
        Assert.NotEqual(first, second);

        await Anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = first }).ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        // The reuse revoked the whole family, including the token that was still current.
        await Anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = second }).ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await Anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = "frt_made_up" }).ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Fact]
    public async Task Logout_revokes_the_refresh_token()
    {
        var session = await SignUpAndLogInAsync("di@example.com");
        string token = session.GetProperty("refreshToken").GetString()!;
        using (var logout = await Anonymous.PostAsJsonAsync("/api/auth/logout", new { refreshToken = token }))
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        await Anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = token }).ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Fact]
    public async Task A_user_sees_and_changes_only_itself()
    {
        var ann = await SignUpAndLogInAsync("ann@example.com");
        var bob = await SignUpAndLogInAsync("bob@example.com");
        using var annClient = _app.ClientWithToken(ann.GetProperty("accessToken").GetString()!);
        string annId = ann.GetProperty("user").GetProperty("id").GetString()!;
        string bobId = bob.GetProperty("user").GetProperty("id").GetString()!;

        var list = await annClient.GetAsync("/api/users").ShouldBe(HttpStatusCode.OK);
        Assert.Equal([annId], list.GetProperty("data").EnumerateArray().Select(u => u.GetProperty("id").GetString()));
        Assert.Equal(1, list.GetProperty("meta").GetProperty("total").GetInt64());
        await annClient.GetAsync($"/api/users/{bobId}").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
        await annClient.PatchAsync($"/api/users/{bobId}", TestApp.JsonContent("""{"name":"hacked"}""")).ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
        await annClient.DeleteAsync($"/api/users/{bobId}").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
        var filtered = await annClient.GetAsync("/api/users?filter=" + Uri.EscapeDataString($"id = '{bobId}'")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(0, filtered.GetProperty("data").GetArrayLength());
        await annClient.PatchAsync($"/api/users/{annId}", TestApp.JsonContent("""{"name":"Ann B"}""")).ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Bad_and_stale_tokens_are_401s()
    {
        var session = await SignUpAndLogInAsync("ed@example.com");
        string token = session.GetProperty("accessToken").GetString()!;
        var parts = token.Split('.');
        string tampered = parts[0] + "." + parts[1][..^2] + (parts[1][^2..] == "AA" ? "BB" : "AA") + "." + parts[2];
        foreach (var bad in new[] { tampered, "not-a-token", parts[0] + "." + parts[1] + ".", "a.b.c.d" })
        {
            using var client = _app.ClientWithToken(bad);
            await client.GetAsync("/api/users").ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        using var basic = new HttpRequestMessage(HttpMethod.Get, "/api/users");
        basic.Headers.TryAddWithoutValidation("Authorization", "Basic dXNlcjpwYXNz");
        await Anonymous.SendAsync(basic).ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");

        // Deleting the account invalidates its still-unexpired access token at once.
        using var own = _app.ClientWithToken(token);
        await _app.Admin.DeleteAsync($"/api/users/{session.GetProperty("user").GetProperty("id").GetString()}");
        await own.GetAsync("/api/auth/me").ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Fact]
    public async Task Superusers_sign_in_and_the_jwks_is_published()
    {
        var session = (await Anonymous.PostAsJsonAsync("/api/admin/auth/login", new { email = TestApp.SuperuserEmail, password = TestApp.SuperuserPassword })
            .ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        Assert.True(session.GetProperty("user").GetProperty("superuser").GetBoolean());
        using var client = _app.ClientWithToken(session.GetProperty("accessToken").GetString()!);
        await client.GetAsync("/api/collections").ShouldBe(HttpStatusCode.OK);
        var me = await client.GetAsync("/api/auth/me").ShouldBe(HttpStatusCode.OK);
        Assert.Equal(TestApp.SuperuserEmail, me.GetProperty("data").GetProperty("email").GetString());

        using var jwks = await Anonymous.GetAsync("/.well-known/jwks.json");
        var keys = (await jwks.ReadJsonAsync()).GetProperty("keys");
        Assert.Equal("EC", keys[0].GetProperty("kty").GetString());
        Assert.False(keys[0].TryGetProperty("d", out _));
    }
}

public sealed class AuthApiTests_Sqlite() : AuthApiTests(DbKind.Sqlite);

public sealed class AuthApiTests_Postgres() : AuthApiTests(DbKind.Postgres);
