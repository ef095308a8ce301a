using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Fundament.Email;
using Fundament.Tests.Jobs;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Identity;

/// <summary>Email verification and password reset through the outbox; on SQLite and PostgreSQL.</summary>
public abstract partial class AccountFlowTests(DbKind kind) : IAsyncLifetime
{
    private TestApp _app = null!;

    public async ValueTask InitializeAsync()
    {
        _app = await TestApp.StartAsync(kind);
        await _app.Anonymous.PostAsJsonAsync("/api/users", new { email = "gus@example.com", password = "gus password 1" }).ShouldBe(HttpStatusCode.Created);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [GeneratedRegex(@"\n\n([A-Za-z0-9_\-]{40,})\n\n")]
    private static partial Regex TokenInMail();

    private async Task<List<StoredEmail>> SentMailAsync()
    {
        await TestJobs.DrainAsync(_app, EmailJob.TypeName);
        return await _app.Get<EmailOutbox>().ListAsync(100, CancellationToken.None);
    }

    private async Task<(StoredEmail Mail, string Token)> LastMailAsync()
    {
        await SentMailAsync();
        var mail = (await _app.Get<EmailOutbox>().ListAsync(1, CancellationToken.None)).Single();
        return (mail, TokenInMail().Match(mail.Text).Groups[1].Value);
    }

    [Fact]
    public async Task Verification_emails_a_single_use_token_that_marks_the_user_verified()
    {
        using (var response = await _app.Anonymous.PostAsJsonAsync("/api/auth/verify-email", new { email = "GUS@example.com" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        var (mail, token) = await LastMailAsync();
        Assert.Equal("gus@example.com", mail.To);
        Assert.NotEmpty(token);
        using (var confirmed = await _app.Anonymous.PostAsJsonAsync("/api/auth/confirm-email", new { token }))
        {
            Assert.Equal(HttpStatusCode.NoContent, confirmed.StatusCode);
        }

        var users = await _app.Admin.GetAsync("/api/users").ShouldBe(HttpStatusCode.OK);
        Assert.True(users.GetProperty("data")[0].GetProperty("verified").GetBoolean());
        await _app.Anonymous.PostAsJsonAsync("/api/auth/confirm-email", new { token }).ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        await _app.Anonymous.PostAsJsonAsync("/api/auth/confirm-email", new { token = "made-up" }).ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
    }

    [Fact]
    public async Task Unknown_emails_get_the_same_answer_and_no_mail()
    {
        using var response = await _app.Anonymous.PostAsJsonAsync("/api/auth/request-password-reset", new { email = "nobody@example.com" });
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await SentMailAsync());
        await _app.Anonymous.PostAsJsonAsync("/api/auth/request-password-reset", new { mail = "x" }).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task Account_emails_are_capped_per_account_without_changing_the_answer()
    {
        for (int i = 0; i < 5; i++)
        {
            using var response = await _app.Anonymous.PostAsJsonAsync("/api/auth/request-password-reset", new { email = "gus@example.com" });
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        Assert.Equal(3, (await SentMailAsync()).Count);
    }

    [Fact]
    public async Task Password_reset_sets_a_new_password_once_and_signs_out_everywhere()
    {
        var session = (await _app.Anonymous.PostAsJsonAsync("/api/auth/login", new { email = "gus@example.com", password = "gus password 1" })
            .ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        using (var requested = await _app.Anonymous.PostAsJsonAsync("/api/auth/request-password-reset", new { email = "gus@example.com" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, requested.StatusCode);
        }

        var (_, token) = await LastMailAsync();
        await _app.Anonymous.PostAsJsonAsync("/api/auth/confirm-password-reset", new { token, password = "short" })
            .ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        using (var reset = await _app.Anonymous.PostAsJsonAsync("/api/auth/confirm-password-reset", new { token = token, password = "gus new password" }))
        {
            // The failed attempt above rolled back, so the token was still unspent.
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        }

        await _app.Anonymous.PostAsJsonAsync("/api/auth/confirm-password-reset", new { token, password = "gus newer password" })
            .ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        await _app.Anonymous.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = session.GetProperty("refreshToken").GetString() })
            .ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await _app.Anonymous.PostAsJsonAsync("/api/auth/login", new { email = "gus@example.com", password = "gus new password" }).ShouldBe(HttpStatusCode.OK);
    }
}

public sealed class AccountFlowTests_Sqlite() : AccountFlowTests(DbKind.Sqlite);

public sealed class AccountFlowTests_Postgres() : AccountFlowTests(DbKind.Postgres);
