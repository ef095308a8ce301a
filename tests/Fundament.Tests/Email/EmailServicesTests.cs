using System.Net;
using System.Net.Http.Json;
using Fundament.Email;
using Fundament.Tests.Testing;
using Microsoft.Extensions.Options;

namespace Fundament.Tests.Email;

/// <summary>AddEmail in the real app: the default outbox provider, provider selection, start-up validation.</summary>
public abstract class EmailServicesTests(DbKind kind)
{
    [Fact]
    public async Task The_default_provider_stores_the_message_in_the_outbox()
    {
        await using var app = await TestApp.StartAsync(kind);
        var sender = Assert.IsType<OutboxEmailSender>(app.Get<IEmailSender>());
        await sender.SendAsync(new EmailMessage("ada@example.com", "Grüße", "Hi Ada"), TestContext.Current.CancellationToken);

        var stored = Assert.Single(await app.Get<EmailOutbox>().ListAsync(10, TestContext.Current.CancellationToken));
        Assert.Equal(("ada@example.com", "Grüße", "Hi Ada"), (stored.To, stored.Subject, stored.Text));
    }

    [Fact]
    public async Task The_outbox_refuses_what_a_real_provider_would_refuse()
    {
        await using var app = await TestApp.StartAsync(kind);
        var error = await Assert.ThrowsAsync<EmailSendException>(() =>
            app.Get<IEmailSender>().SendAsync(new EmailMessage("ada@example.com", "Hi\r\nBcc: eve@example.com", "x"), TestContext.Current.CancellationToken));

        Assert.True(error.IsPermanent);
        Assert.Empty(await app.Get<EmailOutbox>().ListAsync(10, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Account_emails_speak_in_the_configured_app_name()
    {
        await using var app = await TestApp.StartAsync(kind, new Dictionary<string, string?> { ["Fundament:AppName"] = "Acme" });
        await app.Anonymous.PostAsJsonAsync("/api/users", new { email = "gus@example.com", password = "gus password 1" }).ShouldBe(HttpStatusCode.Created);
        using (var response = await app.Anonymous.PostAsJsonAsync("/api/auth/request-password-reset", new { email = "gus@example.com" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        var mail = Assert.Single(await app.Get<EmailOutbox>().ListAsync(10, TestContext.Current.CancellationToken));
        Assert.Equal("Reset your Acme password", mail.Subject);
    }
}

public sealed class EmailServicesTests_Sqlite() : EmailServicesTests(DbKind.Sqlite)
{
    [Theory]
    [InlineData("smtp", "SmtpHost", "127.0.0.1", typeof(SmtpEmailSender))]
    [InlineData("http", "EmailApiKey", "re_key", typeof(HttpApiEmailSender))]
    [InlineData("outbox", "AppName", "Acme", typeof(OutboxEmailSender))]
    public async Task The_configured_provider_is_the_sender(string provider, string setting, string value, Type expected)
    {
        await using var app = await TestApp.StartAsync(DbKind.Sqlite, new Dictionary<string, string?>
        {
            ["Fundament:EmailProvider"] = provider,
            [$"Fundament:{setting}"] = value,
        });
        Assert.IsType(expected, app.Get<IEmailSender>());
    }

    [Fact]
    public async Task A_provider_missing_its_settings_stops_the_start()
    {
        string directory = Path.Combine(Path.GetTempPath(), "fundament-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
                TestApp.StartAsync(DbKind.Sqlite, new Dictionary<string, string?> { ["Fundament:EmailProvider"] = "smtp" }, directory));
            Assert.Contains("SmtpHost is required", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

public sealed class EmailServicesTests_Postgres() : EmailServicesTests(DbKind.Postgres);
