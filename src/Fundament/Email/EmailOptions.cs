using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.Extensions.Options;

namespace Fundament.Email;

/// <summary>Where mail goes: see <see cref="EmailOptions.EmailProvider"/>.</summary>
public enum EmailProviderKind
{
    /// <summary>Store messages in the <c>_outbox_emails</c> table; nothing leaves the server.</summary>
    Outbox,

    /// <summary>Send through an SMTP server (<see cref="SmtpEmailSender"/>).</summary>
    Smtp,

    /// <summary>Send through a Resend-shaped HTTP API (<see cref="HttpApiEmailSender"/>).</summary>
    Http,
}

/// <summary>How the SMTP connection is protected: see <see cref="EmailOptions.SmtpSecurity"/>.</summary>
public enum SmtpSecurityMode
{
    /// <summary>Plain connection upgraded with STARTTLS; a server that does not offer it is refused.</summary>
    StartTls,

    /// <summary>TLS from the first byte (implicit TLS, "SMTPS", usually port 465).</summary>
    Tls,

    /// <summary>No encryption; allowed only to loopback unless <see cref="EmailOptions.SmtpAllowPlaintext"/>.</summary>
    None,
}

/// <summary>
/// Email settings, bound from the flat <c>Fundament</c> section so every one is also an environment variable:
/// <c>FUNDAMENT_EMAIL_PROVIDER=smtp</c>, <c>FUNDAMENT_SMTP_HOST</c>, <c>FUNDAMENT_SMTP_PASSWORD</c>,
/// <c>FUNDAMENT_EMAIL_API_KEY</c> and so on. The defaults store mail in the outbox table, so a fresh install
/// needs no configuration. Passwords and keys are never logged nor put in error messages.
/// </summary>
/// <example><code>FUNDAMENT_EMAIL_PROVIDER=smtp FUNDAMENT_SMTP_HOST=smtp.example.com FUNDAMENT_SMTP_USERNAME=apikey FUNDAMENT_SMTP_PASSWORD=…</code></example>
public sealed class EmailOptions : IValidatableObject
{
    public const string Section = FundamentOptions.Section;
    public const string DefaultEmailFrom = "Fundament <no-reply@localhost>";
    public const string DefaultAppName = "Fundament";
    public const string DefaultEmailApiUrl = "https://api.resend.com";
    public const int DefaultTimeoutSeconds = 30;
    public const int DefaultStartTlsPort = 587;
    public const int DefaultTlsPort = 465;
    public const int DefaultPlaintextPort = 25;

    /// <summary><c>outbox</c> (the default), <c>smtp</c> or <c>http</c>.</summary>
    public EmailProviderKind EmailProvider { get; set; } = EmailProviderKind.Outbox;

    /// <summary>The sender, <c>Name &lt;address&gt;</c> or a bare address.</summary>
    [Required]
    public string EmailFrom { get; set; } = DefaultEmailFrom;

    /// <summary>The product name account emails speak in (<c>FUNDAMENT_APP_NAME</c>).</summary>
    [Required]
    public string AppName { get; set; } = DefaultAppName;

    /// <summary>How long one SMTP command or one API request may take before the attempt fails as transient.</summary>
    [Range(1, 600)]
    public int EmailTimeoutSeconds { get; set; } = DefaultTimeoutSeconds;

    public string? SmtpHost { get; set; }

    /// <summary>Defaults by security: 587 for <c>starttls</c>, 465 for <c>tls</c>, 25 for <c>none</c>.</summary>
    [Range(1, 65535)]
    public int? SmtpPort { get; set; }

    /// <summary><c>starttls</c> (the default), <c>tls</c> or <c>none</c>.</summary>
    public SmtpSecurityMode SmtpSecurity { get; set; } = SmtpSecurityMode.StartTls;

    /// <summary>
    /// Lets <c>SmtpSecurity=none</c> reach a host other than loopback — a relay on a private network, say — and
    /// so send mail and the password in clear text. Off by default.
    /// </summary>
    public bool SmtpAllowPlaintext { get; set; }

    /// <summary>With <see cref="SmtpPassword"/>: authenticate with AUTH PLAIN or LOGIN, only over TLS unless security is none.</summary>
    public string? SmtpUsername { get; set; }

    public string? SmtpPassword { get; set; }

    /// <summary>The API base; messages are posted to <c>{EmailApiUrl}/emails</c>. Must be https unless loopback.</summary>
    [Required]
    public string EmailApiUrl { get; set; } = DefaultEmailApiUrl;

    /// <summary>Sent as <c>Authorization: Bearer</c> to the API.</summary>
    public string? EmailApiKey { get; set; }

    public int SmtpPortOrDefault => SmtpPort ?? SmtpSecurity switch
    {
        SmtpSecurityMode.Tls => DefaultTlsPort,
        SmtpSecurityMode.None => DefaultPlaintextPort,
        _ => DefaultStartTlsPort,
    };

    public TimeSpan Timeout => TimeSpan.FromSeconds(EmailTimeoutSeconds);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!EmailAddress.TryParse(EmailFrom, out _, out string? error))
        {
            yield return new ValidationResult($"EmailFrom {error}", [nameof(EmailFrom)]);
        }

        if (MimeText.HasControlCharacter(AppName))
        {
            yield return new ValidationResult("AppName must not contain control characters", [nameof(AppName)]);
        }

        if (EmailProvider == EmailProviderKind.Smtp)
        {
            foreach (var result in ValidateSmtp())
            {
                yield return result;
            }
        }

        if (EmailProvider == EmailProviderKind.Http)
        {
            if (string.IsNullOrWhiteSpace(EmailApiKey))
            {
                yield return new ValidationResult("EmailApiKey is required when EmailProvider is http", [nameof(EmailApiKey)]);
            }

            // The key travels in a header; only a loopback API (a test double) may see it in clear text.
            if (!Uri.TryCreate(EmailApiUrl, UriKind.Absolute, out var url) ||
                !(url.Scheme == Uri.UriSchemeHttps || (url.Scheme == Uri.UriSchemeHttp && IsLoopback(url.Host))))
            {
                yield return new ValidationResult("EmailApiUrl must be an absolute https URL (http only to loopback)", [nameof(EmailApiUrl)]);
            }
        }
    }

    private IEnumerable<ValidationResult> ValidateSmtp()
    {
        if (string.IsNullOrWhiteSpace(SmtpHost))
        {
            yield return new ValidationResult("SmtpHost is required when EmailProvider is smtp", [nameof(SmtpHost)]);
        }
        else if (SmtpSecurity == SmtpSecurityMode.None && !SmtpAllowPlaintext && !IsLoopback(SmtpHost))
        {
            yield return new ValidationResult(
                "SmtpSecurity none sends mail and credentials in clear text; it is allowed to loopback only, unless SmtpAllowPlaintext is true",
                [nameof(SmtpSecurity)]);
        }

        if (string.IsNullOrEmpty(SmtpUsername) != string.IsNullOrEmpty(SmtpPassword))
        {
            yield return new ValidationResult("SmtpUsername and SmtpPassword go together", [nameof(SmtpUsername), nameof(SmtpPassword)]);
        }
    }

    internal static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ||
        (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}

[OptionsValidator]
public sealed partial class EmailOptionsValidator : IValidateOptions<EmailOptions>;
