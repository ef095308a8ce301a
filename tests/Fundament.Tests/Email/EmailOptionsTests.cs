using Fundament.Email;
using Microsoft.Extensions.Configuration;

namespace Fundament.Tests.Email;

/// <summary>Email settings: names that work as environment variables, defaults, and start-up validation.</summary>
public sealed class EmailOptionsTests
{
    public static TheoryData<string, EmailOptions, string> Invalid => new()
    {
        { "smtp without a host", new() { EmailProvider = EmailProviderKind.Smtp }, "SmtpHost is required" },
        { "http without a key", new() { EmailProvider = EmailProviderKind.Http }, "EmailApiKey is required" },
        { "key over clear text", new() { EmailProvider = EmailProviderKind.Http, EmailApiKey = "k", EmailApiUrl = "http://api.example.com" }, "EmailApiUrl must be" },
        { "not a URL", new() { EmailProvider = EmailProviderKind.Http, EmailApiKey = "k", EmailApiUrl = "api.example.com" }, "EmailApiUrl must be" },
        { "plaintext to a remote host", new() { EmailProvider = EmailProviderKind.Smtp, SmtpHost = "mail.example.com", SmtpSecurity = SmtpSecurityMode.None }, "SmtpAllowPlaintext" },
        { "user without password", new() { EmailProvider = EmailProviderKind.Smtp, SmtpHost = "mail.example.com", SmtpUsername = "u" }, "go together" },
        { "sender that is no address", new() { EmailFrom = "Fundament" }, "EmailFrom" },
        { "sender with a line break", new() { EmailFrom = "a@b.test\r\nBcc: eve@example.com" }, "EmailFrom contains a control character" },
        { "app name with a line break", new() { AppName = "Acme\r\nBcc: x" }, "AppName" },
        { "no timeout", new() { EmailTimeoutSeconds = 0 }, "EmailTimeoutSeconds" },
        { "port out of range", new() { EmailProvider = EmailProviderKind.Smtp, SmtpHost = "mail.example.com", SmtpPort = 70000 }, "SmtpPort" },
    };

    public static TheoryData<string, EmailOptions> Valid => new()
    {
        { "the defaults", new() },
        { "smtp with starttls and a login", new() { EmailProvider = EmailProviderKind.Smtp, SmtpHost = "smtp.example.com", SmtpUsername = "u", SmtpPassword = "p" } },
        { "plaintext to loopback", new() { EmailProvider = EmailProviderKind.Smtp, SmtpHost = "127.0.0.1", SmtpSecurity = SmtpSecurityMode.None } },
        { "plaintext to localhost", new() { EmailProvider = EmailProviderKind.Smtp, SmtpHost = "localhost", SmtpSecurity = SmtpSecurityMode.None } },
        { "plaintext to a relay, explicitly", new() { EmailProvider = EmailProviderKind.Smtp, SmtpHost = "mailpit", SmtpSecurity = SmtpSecurityMode.None, SmtpAllowPlaintext = true } },
        { "http api on loopback", new() { EmailProvider = EmailProviderKind.Http, EmailApiKey = "k", EmailApiUrl = "http://127.0.0.1:9000" } },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_settings_fail_validation(string why, EmailOptions options, string message)
    {
        var result = new EmailOptionsValidator().Validate(null, options);
        Assert.True(result.Failed, why);
        Assert.Contains(message, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Valid))]
    public void Valid_settings_pass(string why, EmailOptions options)
    {
        var result = new EmailOptionsValidator().Validate(null, options);
        Assert.True(result.Succeeded, $"{why}: {result.FailureMessage}");
    }

    [Fact]
    public void Secrets_do_not_appear_in_validation_messages()
    {
        var options = new EmailOptions { EmailProvider = EmailProviderKind.Smtp, SmtpUsername = "user", SmtpPassword = "hunter2", EmailApiKey = "re_secret" };
        var result = new EmailOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        string message = result.FailureMessage!;
        Assert.DoesNotContain("hunter2", message, StringComparison.Ordinal);
        Assert.DoesNotContain("re_secret", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_setting_binds_from_its_environment_variable()
    {
        var environment = new Dictionary<string, string>
        {
            ["FUNDAMENT_EMAIL_PROVIDER"] = "smtp",
            ["FUNDAMENT_EMAIL_FROM"] = "Acme <hello@acme.test>",
            ["FUNDAMENT_APP_NAME"] = "Acme",
            ["FUNDAMENT_EMAIL_TIMEOUT_SECONDS"] = "5",
            ["FUNDAMENT_SMTP_HOST"] = "smtp.acme.test",
            ["FUNDAMENT_SMTP_PORT"] = "2525",
            ["FUNDAMENT_SMTP_SECURITY"] = "tls",
            ["FUNDAMENT_SMTP_ALLOW_PLAINTEXT"] = "true",
            ["FUNDAMENT_SMTP_USERNAME"] = "mailer",
            ["FUNDAMENT_SMTP_PASSWORD"] = "pw",
            ["FUNDAMENT_EMAIL_API_URL"] = "https://mail.acme.test",
            ["FUNDAMENT_EMAIL_API_KEY"] = "key",
        };
        var options = new ConfigurationBuilder().AddFundamentEnvironment(environment).Build().GetSection(EmailOptions.Section).Get<EmailOptions>()!;

        Assert.Equal(EmailProviderKind.Smtp, options.EmailProvider);
        Assert.Equal("Acme <hello@acme.test>", options.EmailFrom);
        Assert.Equal("Acme", options.AppName);
        Assert.Equal(5, options.EmailTimeoutSeconds);
        Assert.Equal("smtp.acme.test", options.SmtpHost);
        Assert.Equal(2525, options.SmtpPort);
        Assert.Equal(SmtpSecurityMode.Tls, options.SmtpSecurity);
        Assert.True(options.SmtpAllowPlaintext);
        Assert.Equal("mailer", options.SmtpUsername);
        Assert.Equal("pw", options.SmtpPassword);
        Assert.Equal("https://mail.acme.test", options.EmailApiUrl);
        Assert.Equal("key", options.EmailApiKey);
    }

    [Theory]
    [InlineData(SmtpSecurityMode.StartTls, 587)]
    [InlineData(SmtpSecurityMode.Tls, 465)]
    [InlineData(SmtpSecurityMode.None, 25)]
    public void The_port_defaults_by_security(SmtpSecurityMode security, int port) =>
        Assert.Equal(port, new EmailOptions { SmtpSecurity = security }.SmtpPortOrDefault);
}
