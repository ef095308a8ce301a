namespace Fundament.Email;

/// <summary>
/// An email as Fundament sends it: plain text, one recipient. <see cref="To"/> is an address, optionally with
/// a display name (<c>Ada &lt;ada@example.com&gt;</c>); the sender comes from <see cref="EmailOptions.EmailFrom"/>.
/// </summary>
public sealed record EmailMessage(string To, string Subject, string Text);

/// <summary>
/// Delivers one message through the configured provider: the outbox table, an SMTP server or an HTTP API.
/// </summary>
/// <remarks>
/// Failures throw <see cref="EmailSendException"/>, whose message is safe to log and whose
/// <see cref="EmailSendException.IsPermanent"/> tells a retrying caller whether another attempt can help.
/// </remarks>
/// <example><code>await sender.SendAsync(new EmailMessage("ada@example.com", "Hello", "Hi Ada"), cancellationToken);</code></example>
public interface IEmailSender
{
    Task SendAsync(EmailMessage message, CancellationToken cancellationToken);
}
