using Fundament.Data;

namespace Fundament.Email;

/// <summary>
/// The default provider: stores each message in <c>_outbox_emails</c> in a transaction of its own, so a fresh
/// install works with no mail server and a developer can read what would have been sent.
/// </summary>
/// <remarks>
/// Messages are checked as strictly as the real providers check them, so a message that would fail on SMTP
/// fails here too instead of first surfacing in production.
/// </remarks>
public sealed class OutboxEmailSender(Database database, EmailOutbox outbox, EmailOptions options) : IEmailSender
{
    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        MimeMessage.Validate(options.EmailFrom, message);
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        await outbox.SendAsync(tx, message, cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }
}
