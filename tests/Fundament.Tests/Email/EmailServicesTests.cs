using System.Net;
using System.Net.Http.Json;
using Fundament.Email;
using Fundament.Jobs;
using Fundament.Tests.Jobs;
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

        await TestJobs.DrainAsync(app, EmailJob.TypeName);
        var mail = Assert.Single(await app.Get<EmailOutbox>().ListAsync(10, TestContext.Current.CancellationToken));
        Assert.Equal("Reset your Acme password", mail.Subject);
    }

    [Fact]
    public async Task Account_emails_go_out_over_smtp_through_the_queue()
    {
        await using var smtp = new SmtpTestServer();
        await using var app = await TestApp.StartAsync(kind, Smtp(smtp));
        await app.Anonymous.PostAsJsonAsync("/api/users", new { email = "gus@example.com", password = "gus password 1" }).ShouldBe(HttpStatusCode.Created);
        using (var response = await app.Anonymous.PostAsJsonAsync("/api/auth/verify-email", new { email = "gus@example.com" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        var job = Assert.Single(await TestJobs.DrainAsync(app, EmailJob.TypeName));
        Assert.Equal(JobStates.Succeeded, job.State);
        Assert.Equal(EmailJob.Queue, job.Queue);
        var message = Assert.Single(smtp.Messages);
        Assert.Equal(["gus@example.com"], message.To);
        Assert.Contains("Subject: Confirm your email address for Fundament", message.Data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rejected_recipient_dead_letters_the_email_job_at_once()
    {
        await using var smtp = new SmtpTestServer(new SmtpTestServerOptions { Replies = new Dictionary<string, string> { ["RCPT"] = "550 5.1.1 no such user" } });
        await using var app = await TestApp.StartAsync(kind, Smtp(smtp));
        var enqueued = await app.Admin.PostAsync("/api/jobs", TestApp.JsonContent("""{"type":"email.send","payload":{"to":"gone@example.com","subject":"Hi","text":"Hello"}}"""))
            .ShouldBe(HttpStatusCode.Created);
        var dead = await TestJobs.WaitForStateAsync(app, enqueued.GetProperty("data").GetProperty("id").GetString()!, JobStates.Dead);
        Assert.Equal(1, dead.GetProperty("attemptLog").GetArrayLength());
        Assert.Contains("550", dead.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Empty(smtp.Messages);
    }

    [Theory]
    [InlineData("""{"type":"email.send","payload":{"subject":"Hi","text":"x"}}""", "payload.to")]
    [InlineData("""{"type":"email.send","payload":{"to":"not an address","subject":"Hi","text":"x"}}""", "payload.to")]
    [InlineData("""{"type":"email.send","payload":{"to":"a@example.com","subject":"Hi\nBcc: x@example.com","text":"x"}}""", "payload.subject")]
    [InlineData("""{"type":"email.send","payload":{"to":"a@example.com","subject":"Hi","text":"x","cc":"b@example.com"}}""", "payload.cc")]
    public async Task Malformed_email_jobs_are_refused(string body, string field)
    {
        await using var app = await TestApp.StartAsync(kind);
        var error = await app.Admin.PostAsync("/api/jobs", TestApp.JsonContent(body)).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        Assert.Contains(field, error.DetailFields());
    }

    private static Dictionary<string, string?> Smtp(SmtpTestServer smtp) => new()
    {
        ["Fundament:JobPollMilliseconds"] = "50",
        ["Fundament:EmailProvider"] = "smtp",
        ["Fundament:SmtpHost"] = "127.0.0.1",
        ["Fundament:SmtpPort"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Fundament:SmtpSecurity"] = "none",
    };
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
