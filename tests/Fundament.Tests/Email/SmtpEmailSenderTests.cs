using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Fundament.Email;
using Fundament.Tests.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fundament.Tests.Email;

/// <summary>The SMTP client against a real server on 127.0.0.1: security modes, AUTH, framing, encoding, refusals.</summary>
public sealed class SmtpEmailSenderTests
{
    private const string User = "mailer";
    private const string Password = "s3cret pass word";
    private static readonly EmailMessage Hello = new("Ada <ada@example.com>", "Hello", "Hi Ada,\nwelcome.");

    private static SmtpEmailSender Sender(SmtpTestServer server, SmtpSecurityMode security, bool credentials = false, bool trust = true, int timeoutSeconds = 10) =>
        new(new EmailOptions
        {
            EmailProvider = EmailProviderKind.Smtp,
            SmtpHost = "127.0.0.1",
            SmtpPort = server.Port,
            SmtpSecurity = security,
            SmtpUsername = credentials ? User : null,
            SmtpPassword = credentials ? Password : null,
            EmailTimeoutSeconds = timeoutSeconds,
        }, TimeProvider.System, NullLogger<SmtpEmailSender>.Instance)
        { TrustedCertificate = trust ? TestCertificates.Localhost : null };

    private static SmtpTestServerOptions Tls => new() { Certificate = TestCertificates.Localhost, User = User, Password = Password };

    [Fact]
    public async Task Plain_connection_to_loopback_delivers_a_complete_mime_message()
    {
        await using var server = new SmtpTestServer();
        await Sender(server, SmtpSecurityMode.None).SendAsync(Hello, TestContext.Current.CancellationToken);

        var received = Assert.Single(server.Messages);
        Assert.Equal("no-reply@localhost", received.From);
        Assert.Equal(["ada@example.com"], received.To);
        Assert.False(received.Tls);
        var (headers, body, _) = MimeReader.Parse(received.Data);
        Assert.Equal("\"Fundament\" <no-reply@localhost>", headers["From"]);
        Assert.Equal("\"Ada\" <ada@example.com>", headers["To"]);
        Assert.Equal("Hello", headers["Subject"]);
        Assert.Equal("1.0", headers["MIME-Version"]);
        Assert.Equal("text/plain; charset=utf-8", headers["Content-Type"]);
        Assert.Equal("quoted-printable", headers["Content-Transfer-Encoding"]);
        Assert.Matches(@"^<[0-9a-f]{32}@localhost>$", headers["Message-ID"]);
        var date = DateTimeOffset.ParseExact(headers["Date"], "ddd, dd MMM yyyy HH:mm:ss zzzz", CultureInfo.InvariantCulture);
        Assert.InRange(date, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(Hello.Text, body);
        Assert.DoesNotContain(server.Commands, c => c.StartsWith("STARTTLS", StringComparison.Ordinal) || c.StartsWith("AUTH", StringComparison.Ordinal));
        Assert.Equal("QUIT", server.Commands.Last());
    }

    [Fact]
    public async Task StartTls_then_auth_plain_sends_credentials_only_after_the_handshake()
    {
        await using var server = new SmtpTestServer(Tls);
        await Sender(server, SmtpSecurityMode.StartTls, credentials: true).SendAsync(Hello, TestContext.Current.CancellationToken);

        var received = Assert.Single(server.Messages);
        Assert.True(received.Tls);
        Assert.Equal(User, received.User);
        string[] verbs = [.. server.Commands.Select(c => c.Split(' ')[0])];
        Assert.Equal(["EHLO", "STARTTLS", "EHLO", "AUTH", "MAIL", "RCPT", "DATA", "QUIT"], verbs);
        Assert.StartsWith("AUTH PLAIN ", server.Commands.ElementAt(3), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auth_login_is_used_when_the_server_offers_only_login()
    {
        await using var server = new SmtpTestServer(Tls with { AuthMechanisms = "LOGIN" });
        await Sender(server, SmtpSecurityMode.StartTls, credentials: true).SendAsync(Hello, TestContext.Current.CancellationToken);

        Assert.Equal(User, Assert.Single(server.Messages).User);
        Assert.Contains("AUTH LOGIN", server.Commands);
    }

    [Fact]
    public async Task Implicit_tls_delivers_with_auth()
    {
        await using var server = new SmtpTestServer(Tls with { ImplicitTls = true });
        await Sender(server, SmtpSecurityMode.Tls, credentials: true).SendAsync(Hello, TestContext.Current.CancellationToken);

        var received = Assert.Single(server.Messages);
        Assert.True(received.Tls);
        Assert.Equal(User, received.User);
        Assert.DoesNotContain("STARTTLS", server.Commands);
    }

    [Fact]
    public async Task Lines_starting_with_a_dot_are_stuffed_and_arrive_intact()
    {
        await using var server = new SmtpTestServer();
        var message = Hello with { Text = "first\n.\n.hidden\n..two\r\nlast line\n." };
        await Sender(server, SmtpSecurityMode.None).SendAsync(message, TestContext.Current.CancellationToken);

        var (_, body, _) = MimeReader.Parse(Assert.Single(server.Messages).Data);
        Assert.Equal("first\n.\n.hidden\n..two\nlast line\n.", body);
        Assert.Equal(["EHLO", "MAIL", "RCPT", "DATA", "QUIT"], server.Commands.Select(c => c.Split(' ')[0]));
    }

    [Fact]
    public async Task Non_ascii_subject_names_and_body_are_encoded_in_short_lines()
    {
        await using var server = new SmtpTestServer();
        string subject = string.Concat(Enumerable.Repeat("Grüße aus Köln — ваш код готов 🎉 ", 4));
        string text = "Zoë's café: " + new string('é', 120) + "\ntrailing space \n=equals= and\ttab";
        var message = new EmailMessage("Zoë Ünïcode <zoe@example.com>", subject, text);
        await Sender(server, SmtpSecurityMode.None).SendAsync(message, TestContext.Current.CancellationToken);

        var (headers, body, head) = MimeReader.Parse(Assert.Single(server.Messages).Data);
        Assert.Equal(subject, headers["Subject"]);
        Assert.Equal("Zoë Ünïcode <zoe@example.com>", headers["To"]);
        Assert.Equal(text, body);
        Assert.All(head.Split("\r\n"), line => Assert.True(line.Length <= 76, $"header line too long: {line}"));
        Assert.True(System.Text.Ascii.IsValid(head));
    }

    [Theory]
    [InlineData("MAIL", "451 4.3.0 Try again later", false)]
    [InlineData("RCPT", "550 5.1.1 No such user here", true)]
    [InlineData("RCPT", "452 4.2.2 Mailbox full", false)]
    [InlineData("DATA", "554 5.3.4 Not now, not ever", true)]
    [InlineData("MESSAGE", "452 4.3.1 Out of storage", false)]
    [InlineData("MESSAGE", "554 5.7.1 Looks like spam", true)]
    public async Task Refusals_are_classified_by_reply_code(string step, string reply, bool permanent)
    {
        await using var server = new SmtpTestServer(new SmtpTestServerOptions { Replies = new Dictionary<string, string> { [step] = reply } });
        var error = await Assert.ThrowsAsync<EmailSendException>(() => Sender(server, SmtpSecurityMode.None).SendAsync(Hello, TestContext.Current.CancellationToken));

        Assert.Equal(permanent, error.IsPermanent);
        Assert.Contains(reply, error.Message, StringComparison.Ordinal);
        Assert.Empty(server.Messages);
    }

    [Theory]
    [InlineData("PLAIN")]
    [InlineData("LOGIN")]
    public async Task A_wrong_password_fails_permanently_without_showing_it(string mechanism)
    {
        await using var server = new SmtpTestServer(Tls with { AuthMechanisms = mechanism, Password = "another" });
        var error = await Assert.ThrowsAsync<EmailSendException>(() =>
            Sender(server, SmtpSecurityMode.StartTls, credentials: true).SendAsync(Hello, TestContext.Current.CancellationToken));

        Assert.True(error.IsPermanent);
        Assert.Contains("535", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String("s3cret pass word"u8), error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ada@example.com\r\nBcc: eve@example.com", "Hello")]
    [InlineData("ada@example.com>\r\nRCPT TO:<eve@example.com", "Hello")]
    [InlineData("Ada\n <ada@example.com>", "Hello")]
    [InlineData("ada@example.com", "Hello\r\nBcc: eve@example.com")]
    [InlineData("ada@example.com", "Hello\nX-Injected: yes")]
    [InlineData("ada@example.com", "Hello\rthere")]
    [InlineData("not-an-address", "Hello")]
    public async Task Header_and_command_injection_is_refused_before_connecting(string to, string subject)
    {
        await using var server = new SmtpTestServer();
        var error = await Assert.ThrowsAsync<EmailSendException>(() =>
            Sender(server, SmtpSecurityMode.None).SendAsync(new EmailMessage(to, subject, "body"), TestContext.Current.CancellationToken));

        Assert.True(error.IsPermanent);
        Assert.Empty(server.Commands);
    }

    [Theory]
    [InlineData(SmtpSecurityMode.StartTls)]
    [InlineData(SmtpSecurityMode.Tls)]
    public async Task An_untrusted_certificate_is_refused_by_default(SmtpSecurityMode security)
    {
        await using var server = new SmtpTestServer(Tls with { ImplicitTls = security == SmtpSecurityMode.Tls });
        var error = await Assert.ThrowsAsync<EmailSendException>(() =>
            Sender(server, security, credentials: true, trust: false).SendAsync(Hello, TestContext.Current.CancellationToken));

        Assert.True(error.IsPermanent);
        Assert.Contains("TLS handshake failed", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Commands, c => c.StartsWith("AUTH", StringComparison.Ordinal) || c.StartsWith("MAIL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Only_the_pinned_certificate_is_trusted()
    {
        // Trusting one certificate must not mean trusting every certificate.
        await using var server = new SmtpTestServer(Tls with { Certificate = TestCertificates.Create("other.test") });
        var error = await Assert.ThrowsAsync<EmailSendException>(() =>
            Sender(server, SmtpSecurityMode.StartTls).SendAsync(Hello, TestContext.Current.CancellationToken));

        Assert.True(error.IsPermanent);
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task Starttls_is_required_when_configured()
    {
        await using var server = new SmtpTestServer();
        var error = await Assert.ThrowsAsync<EmailSendException>(() => Sender(server, SmtpSecurityMode.StartTls).SendAsync(Hello, TestContext.Current.CancellationToken));

        Assert.True(error.IsPermanent);
        Assert.Contains("STARTTLS", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Commands, c => c.StartsWith("MAIL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Clear_text_injected_ahead_of_the_tls_handshake_is_refused()
    {
        await using var server = new SmtpTestServer(Tls with { InjectAfterStartTls = true });
        var error = await Assert.ThrowsAsync<EmailSendException>(() =>
            Sender(server, SmtpSecurityMode.StartTls, credentials: true).SendAsync(Hello, TestContext.Current.CancellationToken));

        Assert.True(error.IsPermanent);
        Assert.DoesNotContain(server.Commands, c => c.StartsWith("AUTH", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_silent_server_times_out_as_transient()
    {
        await using var server = new SmtpTestServer(new SmtpTestServerOptions { Stall = "MAIL" });
        var error = await Assert.ThrowsAsync<EmailSendException>(() =>
            Sender(server, SmtpSecurityMode.None, timeoutSeconds: 1).SendAsync(Hello, TestContext.Current.CancellationToken));

        Assert.False(error.IsPermanent);
        Assert.Contains("no answer to MAIL FROM within 1 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_connection_is_transient()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var options = new EmailOptions { EmailProvider = EmailProviderKind.Smtp, SmtpHost = "127.0.0.1", SmtpPort = port, SmtpSecurity = SmtpSecurityMode.None };
        var error = await Assert.ThrowsAsync<EmailSendException>(() =>
            new SmtpEmailSender(options, TimeProvider.System, NullLogger<SmtpEmailSender>.Instance).SendAsync(Hello, TestContext.Current.CancellationToken));

        Assert.False(error.IsPermanent);
    }
}
