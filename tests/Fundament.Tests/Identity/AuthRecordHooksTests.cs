using System.Net;
using System.Net.Http.Json;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Identity;

public abstract class AuthRecordHooksTests(DbKind kind) : IAsyncLifetime
{
    private TestApp _app = null!;

    public async ValueTask InitializeAsync() => _app = await TestApp.StartAsync(kind);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Only_superusers_set_verified_and_a_new_password_signs_the_user_out()
    {
        var anonymous = _app.Anonymous;
        await anonymous.PostAsJsonAsync("/api/users", new { email = "eve@example.com", password = "eve password 1", verified = true })
            .ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        await anonymous.PostAsJsonAsync("/api/users", new { email = "fay@example.com", password = "fay password 1" }).ShouldBe(HttpStatusCode.Created);
        var session = (await anonymous.PostAsJsonAsync("/api/auth/login", new { email = "fay@example.com", password = "fay password 1" })
            .ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        string id = session.GetProperty("user").GetProperty("id").GetString()!;
        using var fay = _app.ClientWithToken(session.GetProperty("accessToken").GetString()!);

        var refused = await fay.PatchAsJsonAsync($"/api/users/{id}", new { verified = true }).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        Assert.Contains("verified", refused.DetailFields());
        var verified = await _app.Admin.PatchAsJsonAsync($"/api/users/{id}", new { verified = true }).ShouldBe(HttpStatusCode.OK);
        Assert.True(verified.GetProperty("data").GetProperty("verified").GetBoolean());
        await fay.PatchAsJsonAsync($"/api/users/{id}", new { verified = true, name = "Fay" }).ShouldBe(HttpStatusCode.OK);

        await fay.PatchAsJsonAsync($"/api/users/{id}", new { password = "a new password 2" }).ShouldBe(HttpStatusCode.OK);
        await anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = session.GetProperty("refreshToken").GetString() })
            .ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await anonymous.PostAsJsonAsync("/api/auth/login", new { email = "fay@example.com", password = "a new password 2" }).ShouldBe(HttpStatusCode.OK);
        await anonymous.PostAsJsonAsync("/api/auth/login", new { email = "fay@example.com", password = "fay password 1" })
            .ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }
}

public sealed class AuthRecordHooksTests_Sqlite() : AuthRecordHooksTests(DbKind.Sqlite);

public sealed class AuthRecordHooksTests_Postgres() : AuthRecordHooksTests(DbKind.Postgres);
