using System.Net;
using System.Net.Http.Json;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Identity;

public sealed class ProtectionTests
{
    [Fact]
    public async Task Repeated_failed_sign_ins_are_slowed_down_per_account()
    {
        await using var app = await TestApp.StartAsync(DbKind.Sqlite);
        await app.CreateRecordAsync("users", new { email = "ann@example.com", password = "right password" });
        for (int i = 0; i < 6; i++)
        {
            await app.Anonymous.PostAsJsonAsync("/api/auth/login", new { email = "ann@example.com", password = "wrong password" })
                .ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        using var locked = await app.Anonymous.PostAsJsonAsync("/api/auth/login", new { email = "ANN@example.com", password = "right password" });
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.True(int.Parse(locked.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("RATE_LIMITED", (await locked.ReadJsonAsync()).GetProperty("error").GetProperty("code").GetString());

        // Another account is not affected.
        await app.CreateRecordAsync("users", new { email = "bob@example.com", password = "right password" });
        await app.Anonymous.PostAsJsonAsync("/api/auth/login", new { email = "bob@example.com", password = "right password" }).ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Auth_routes_have_a_per_ip_budget_that_answers_429()
    {
        await using var app = await TestApp.StartAsync(DbKind.Sqlite, new Dictionary<string, string?> { ["Fundament:AuthRequestsPerMinute"] = "3" });
        HttpStatusCode last = HttpStatusCode.OK;
        for (int i = 0; i < 5; i++)
        {
            using var response = await app.Anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = "frt_x" });
            last = response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, last);
        await app.Anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = "frt_x" }).ShouldBe(HttpStatusCode.TooManyRequests, "RATE_LIMITED");
    }

    [Fact]
    public async Task Anonymous_sign_ups_share_the_per_ip_budget()
    {
        await using var app = await TestApp.StartAsync(DbKind.Sqlite, new Dictionary<string, string?> { ["Fundament:AuthRequestsPerMinute"] = "3" });
        for (int i = 0; i < 3; i++)
        {
            await app.Anonymous.PostAsJsonAsync("/api/users", new { email = $"u{i}@example.com" }).ShouldBe(HttpStatusCode.Created);
        }

        await app.Anonymous.PostAsJsonAsync("/api/users", new { email = "u9@example.com" }).ShouldBe(HttpStatusCode.TooManyRequests, "RATE_LIMITED");
        // Superusers creating users are not signing up.
        await app.Admin.PostAsJsonAsync("/api/users", new { email = "admin-made@example.com" }).ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Responses_carry_security_headers_and_cors_for_allowed_origins()
    {
        await using var app = await TestApp.StartAsync(DbKind.Sqlite, new Dictionary<string, string?> { ["Fundament:CorsOrigins"] = "https://app.example.com" });
        using var plain = await app.Anonymous.GetAsync("/api/health");
        Assert.Equal("nosniff", plain.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", plain.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("default-src 'none'", plain.Headers.GetValues("Content-Security-Policy").Single());

        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/users");
        preflight.Headers.Add("Origin", "https://app.example.com");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        using var allowed = await app.Anonymous.SendAsync(preflight);
        Assert.Equal("https://app.example.com", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(allowed.Headers.Contains("Access-Control-Allow-Credentials"));

        using var foreign = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        foreign.Headers.Add("Origin", "https://evil.example.com");
        using var refused = await app.Anonymous.SendAsync(foreign);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Superusers_verify_passwords_and_a_password_change_signs_them_out()
    {
        await using var app = await TestApp.StartAsync(DbKind.Sqlite);
        var store = app.Get<Fundament.Identity.SuperuserStore>();
        Assert.Equal(1, await store.CountAsync(CancellationToken.None));
        await app.Anonymous.PostAsync("/api/collections", TestApp.JsonContent("""{"name":"x","fields":[]}""")).ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        Assert.NotNull(await store.VerifyAsync(TestApp.SuperuserEmail, TestApp.SuperuserPassword, CancellationToken.None));
        Assert.Null(await store.VerifyAsync(TestApp.SuperuserEmail, "wrong", CancellationToken.None));
        Assert.Null(await store.VerifyAsync("nobody@example.com", "wrong", CancellationToken.None));

        // Changing a superuser's password signs it out everywhere.
        var session = (await app.Anonymous.PostAsJsonAsync("/api/admin/auth/login", new { email = TestApp.SuperuserEmail, password = TestApp.SuperuserPassword })
            .ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        Assert.Null(await store.SetPasswordAsync(TestApp.SuperuserEmail, "a brand new password", CancellationToken.None));
        await app.Anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = session.GetProperty("refreshToken").GetString() })
            .ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }
}
