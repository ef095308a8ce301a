using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Fundament.Email;

/// <summary>
/// Sends through an SMTP server (RFC 5321) with our own small client: EHLO, STARTTLS or implicit TLS,
/// AUTH PLAIN/LOGIN, one MAIL/RCPT/DATA transaction, QUIT. Each attempt opens its own connection, which suits
/// the rate of account and notification mail and leaves no idle connection to babysit.
/// </summary>
/// <remarks>
/// Replies 5xx, a server without STARTTLS when it is required, a missing AUTH mechanism and an untrusted
/// certificate fail permanently; 4xx replies, timeouts and dropped connections fail as transient.
/// Certificates are checked against the system's roots and the host name; there is no switch to turn that off.
/// </remarks>
public sealed partial class SmtpEmailSender(EmailOptions options, TimeProvider clock, ILogger<SmtpEmailSender> logger) : IEmailSender
{
    /// <summary>
    /// Also trusts exactly this certificate (compared by SHA-256 of its DER bytes), whatever its chain or name:
    /// how tests reach a server with a self-signed certificate without weakening validation for anything else.
    /// </summary>
    internal X509Certificate2? TrustedCertificate { get; init; }

    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        var (from, to) = MimeMessage.Validate(options.EmailFrom, message);
        byte[] data = MimeMessage.ToDataBytes(MimeMessage.Compose(from, to, message, clock.GetUtcNow()));
        string host = options.SmtpHost ?? throw new EmailSendException("SmtpHost is not configured", permanent: true);
        int port = options.SmtpPortOrDefault;

        await using var smtp = await SmtpConnection.ConnectAsync(host, port, options.Timeout, cancellationToken);
        if (options.SmtpSecurity == SmtpSecurityMode.Tls)
        {
            await smtp.UpgradeAsync(TlsOptions(host), cancellationToken);
        }

        Expect(await smtp.ReadReplyAsync("the greeting", cancellationToken), "the greeting", 220);
        var extensions = await HelloAsync(smtp, cancellationToken);
        if (options.SmtpSecurity == SmtpSecurityMode.StartTls)
        {
            if (!extensions.ContainsKey("STARTTLS"))
            {
                throw Failure("does not offer STARTTLS, which SmtpSecurity=starttls requires (use tls for port 465)", permanent: true);
            }

            Expect(await smtp.SendAsync("STARTTLS", "STARTTLS", cancellationToken), "STARTTLS", 220);
            await smtp.UpgradeAsync(TlsOptions(host), cancellationToken);
            // RFC 3207 §4.2: forget what the server said in clear text and ask again over TLS.
            extensions = await HelloAsync(smtp, cancellationToken);
        }

        if (!string.IsNullOrEmpty(options.SmtpUsername))
        {
            await AuthenticateAsync(smtp, extensions, cancellationToken);
        }

        Expect(await smtp.SendAsync($"MAIL FROM:<{from.Address}>", "MAIL FROM", cancellationToken), "MAIL FROM", 250);
        Expect(await smtp.SendAsync($"RCPT TO:<{to.Address}>", "RCPT TO", cancellationToken), "RCPT TO", 250, 251);
        Expect(await smtp.SendAsync("DATA", "DATA", cancellationToken), "DATA", 354);
        var accepted = Expect(await smtp.SendRawAsync(data, "the message", cancellationToken), "the message", 250);
        LogSent(logger, to.Address, host, accepted.Text);

        try
        {
            // The message is accepted; a failed QUIT must not turn into a retry and a duplicate.
            await smtp.SendAsync("QUIT", "QUIT", CancellationToken.None);
        }
        catch (EmailSendException)
        {
        }
    }

    private async Task<Dictionary<string, string>> HelloAsync(SmtpConnection smtp, CancellationToken cancellationToken)
    {
        var reply = await smtp.SendAsync($"EHLO {smtp.LocalName}", "EHLO", cancellationToken);
        if (reply.Code is 500 or 502)
        {
            // A server from before ESMTP: HELO works, and there are no extensions (so no STARTTLS, no AUTH).
            Expect(await smtp.SendAsync($"HELO {smtp.LocalName}", "HELO", cancellationToken), "HELO", 250);
            return [];
        }

        Expect(reply, "EHLO", 250);
        var extensions = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in reply.Lines.Skip(1))
        {
            // "AUTH=LOGIN PLAIN" is the pre-standard spelling some servers still send beside "AUTH LOGIN PLAIN".
            int end = line.IndexOfAny([' ', '=']);
            string keyword = end < 0 ? line : line[..end];
            string parameters = end < 0 ? string.Empty : line[(end + 1)..];
            extensions[keyword] = extensions.TryGetValue(keyword, out string? known) ? $"{known} {parameters}" : parameters;
        }

        return extensions;
    }

    private async Task AuthenticateAsync(SmtpConnection smtp, Dictionary<string, string> extensions, CancellationToken cancellationToken)
    {
        if (!smtp.IsEncrypted && options.SmtpSecurity != SmtpSecurityMode.None)
        {
            throw Failure("would receive the password over an unencrypted connection", permanent: true);
        }

        string user = options.SmtpUsername!;
        string password = options.SmtpPassword ?? string.Empty;
        var offered = extensions.TryGetValue("AUTH", out string? list)
            ? list.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.OrdinalIgnoreCase)
            : throw Failure("does not offer AUTH, but SmtpUsername is set", permanent: true);

        if (offered.Contains("PLAIN"))
        {
            // RFC 4616: authorization identity (empty), NUL, user, NUL, password — base64 in the initial response.
            string response = Base64($"\0{user}\0{password}");
            Expect(await smtp.SendAsync($"AUTH PLAIN {response}", "AUTH PLAIN", cancellationToken), "AUTH PLAIN", 235);
        }
        else if (offered.Contains("LOGIN"))
        {
            Expect(await smtp.SendAsync("AUTH LOGIN", "AUTH LOGIN", cancellationToken), "AUTH LOGIN", 334);
            Expect(await smtp.SendAsync(Base64(user), "the AUTH LOGIN user name", cancellationToken), "the AUTH LOGIN user name", 334);
            Expect(await smtp.SendAsync(Base64(password), "the AUTH LOGIN password", cancellationToken), "the AUTH LOGIN password", 235);
        }
        else
        {
            throw Failure($"offers AUTH {string.Join(' ', offered)}, but only PLAIN and LOGIN are supported", permanent: true);
        }
    }

    private SmtpReply Expect(SmtpReply reply, string step, params ReadOnlySpan<int> accepted)
    {
        foreach (int code in accepted)
        {
            if (reply.Code == code)
            {
                return reply;
            }
        }

        // RFC 5321 §4.2.1: 5yz is a permanent negative completion; anything else unexpected may pass.
        throw Failure($"answered {step} with {reply.Code} {Redact(reply.Text)}", permanent: reply.Code >= 500);
    }

    private EmailSendException Failure(string what, bool permanent) =>
        new($"SMTP {options.SmtpHost}:{options.SmtpPortOrDefault} {what}", permanent);

    // Servers do not echo credentials, but a reply text ends up in logs and dead letters, so make sure.
    private string Redact(string text)
    {
        if (string.IsNullOrEmpty(options.SmtpPassword))
        {
            return text;
        }

        foreach (string secret in (string[])[options.SmtpPassword, Base64(options.SmtpPassword), Base64($"\0{options.SmtpUsername}\0{options.SmtpPassword}")])
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        return text;
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private SslClientAuthenticationOptions TlsOptions(string host) => new()
    {
        TargetHost = host,
        RemoteCertificateValidationCallback = TrustedCertificate is { } trusted
            ? (_, certificate, _, errors) => errors == SslPolicyErrors.None ||
                (certificate is not null && certificate.GetCertHash(HashAlgorithmName.SHA256).AsSpan().SequenceEqual(trusted.GetCertHash(HashAlgorithmName.SHA256)))
            : null,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent email to {To} through SMTP {Host}: {Reply}")]
    private static partial void LogSent(ILogger logger, string to, string host, string reply);
}
