using Fundament.Data;
using Fundament.Data.Migrations;
using Fundament.Toolkit;
using Microsoft.Extensions.Logging;

namespace Fundament.Email;

/// <summary>A stored message, with when it was queued.</summary>
public sealed record StoredEmail(string Id, string To, string Subject, string Text, DateTime CreatedAt);

/// <summary>
/// The local outbox: every message is stored in <c>_outbox_emails</c> and its recipient and subject
/// logged (never the body, which carries single-use tokens). <see cref="OutboxEmailSender"/> puts it behind
/// <see cref="IEmailSender"/> as the default provider.
/// </summary>
public sealed partial class EmailOutbox(Database database, TimeProvider clock, ILogger<EmailOutbox> logger)
{
    public const string Table = "_outbox_emails";

    public static readonly SystemMigration Migration = new("1763683500_create_outbox_emails", (tx, ct) => tx.ExecuteRawAsync(
        $"""
        CREATE TABLE "{Table}" (
          id TEXT PRIMARY KEY NOT NULL,
          recipient TEXT NOT NULL,
          subject TEXT NOT NULL,
          body TEXT NOT NULL,
          created_at {tx.Dialect.ColumnType(SqlType.Timestamp)} NOT NULL
        )
        """, ct));

    /// <summary>Queues a message in the caller's transaction, so it exists only if the change that caused it commits.</summary>
    public async Task SendAsync(WriteTransaction tx, EmailMessage message, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"INSERT INTO \"{Table}\" (id, recipient, subject, body, created_at) VALUES (")
           .Parameter(SqlType.Text, Uuids.NewV7()).Append(", ").Parameter(SqlType.Text, message.To).Append(", ")
           .Parameter(SqlType.Text, message.Subject).Append(", ").Parameter(SqlType.Text, message.Text).Append(", ")
           .Parameter(SqlType.Timestamp, Timestamps.Now(clock)).Append(')');
        await tx.ExecuteAsync(sql, cancellationToken);
        tx.OnCommitted(() => LogQueued(logger, message.To, message.Subject));
    }

    /// <summary>The newest messages first.</summary>
    public async Task<List<StoredEmail>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(database.Dialect);
        sql.Append($"SELECT id, recipient, subject, body, created_at FROM \"{Table}\" ORDER BY id DESC LIMIT ").Parameter(SqlType.Integer, (long)limit);
        await using var connection = await database.OpenReadAsync(cancellationToken);
        await using var command = sql.CreateCommand(connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var messages = new List<StoredEmail>();
        while (await reader.ReadAsync(cancellationToken))
        {
            messages.Add(new StoredEmail(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                (DateTime)database.Dialect.Read(reader, 4, SqlType.Timestamp)!));
        }

        return messages;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Queued email to {To}: {Subject}")]
    private static partial void LogQueued(ILogger logger, string to, string subject);
}
