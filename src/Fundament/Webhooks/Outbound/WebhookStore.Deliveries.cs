using System.Data.Common;
using Fundament.Data;

namespace Fundament.Webhooks.Outbound;

public sealed partial class WebhookStore
{
    /// <summary>The longest response excerpt the log keeps per delivery.</summary>
    public const int MaxExcerptChars = 1024;

    private const string DeliveryColumns =
        "id, webhook_id, event_type, payload, state, attempts, last_status, last_latency_ms, last_excerpt, last_error, job_id, created_at, updated_at, delivered_at";

    /// <summary>Adds a delivery inside the caller's transaction (the record write it reports, or a test send).</summary>
    internal static async Task InsertDeliveryAsync(WriteTransaction tx, WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"INSERT INTO \"{WebhookTables.Deliveries}\" ({DeliveryColumns}) VALUES (")
           .Parameter(SqlType.Text, delivery.Id).Append(", ").Parameter(SqlType.Text, delivery.WebhookId).Append(", ")
           .Parameter(SqlType.Text, delivery.EventType).Append(", ").Parameter(SqlType.Text, delivery.Payload).Append(", ")
           .Parameter(SqlType.Text, delivery.State).Append(", 0, NULL, NULL, NULL, NULL, ").Parameter(SqlType.Text, delivery.JobId).Append(", ")
           .Parameter(SqlType.Timestamp, delivery.CreatedAt).Append(", ").Parameter(SqlType.Timestamp, delivery.UpdatedAt).Append(", NULL)");
        await tx.ExecuteAsync(sql, cancellationToken);
    }

    /// <summary>Finds a delivery by its id (the <c>webhook-id</c> it is sent with), or null.</summary>
    public async Task<WebhookDelivery?> FindDeliveryAsync(string id, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(database.Dialect);
        sql.Append($"SELECT {DeliveryColumns} FROM \"{WebhookTables.Deliveries}\" WHERE id = ").Parameter(SqlType.Text, id);
        var found = await QueryDeliveriesAsync(sql, cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    /// <summary>A webhook's deliveries newest first; <paramref name="before"/> is the last id of the previous page.</summary>
    public Task<List<WebhookDelivery>> ListDeliveriesAsync(string webhookId, string? state, int limit, string? before, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(database.Dialect);
        sql.Append($"SELECT {DeliveryColumns} FROM \"{WebhookTables.Deliveries}\" WHERE webhook_id = ").Parameter(SqlType.Text, webhookId);
        if (state is not null)
        {
            sql.Append(" AND state = ").Parameter(SqlType.Text, state);
        }

        if (before is not null)
        {
            sql.Append(" AND id < ").Parameter(SqlType.Text, before);
        }

        sql.Append(" ORDER BY id DESC LIMIT ").Parameter(SqlType.Integer, (long)limit);
        return QueryDeliveriesAsync(sql, cancellationToken);
    }

    /// <summary>Marks a delivery as not sent because its webhook is disabled.</summary>
    public async Task SkipDeliveryAsync(string id, string reason, CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"UPDATE \"{WebhookTables.Deliveries}\" SET state = '{DeliveryStates.Skipped}', last_error = ").Parameter(SqlType.Text, reason)
           .Append(", updated_at = ").Parameter(SqlType.Timestamp, Timestamps.Now(clock)).Append(" WHERE id = ").Parameter(SqlType.Text, id);
        await tx.ExecuteAsync(sql, cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Records one attempt on the delivery and on its webhook's failure count, in one transaction. A success
    /// resets the count; a failure adds one and disables the webhook when the count reaches
    /// <paramref name="disableAfter"/> or the attempt names a <see cref="DeliveryAttempt.DisableReason"/>.
    /// Returns the reason when this attempt disabled the webhook.
    /// </summary>
    public async Task<string?> RecordAttemptAsync(WebhookDelivery delivery, DeliveryAttempt attempt, int disableAfter, CancellationToken cancellationToken)
    {
        var now = Timestamps.Now(clock);
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        string? disabled = attempt.Ok
            ? await ResetFailuresAsync(tx, delivery.WebhookId, cancellationToken)
            : await CountFailureAsync(tx, delivery.WebhookId, attempt, disableAfter, now, cancellationToken);
        if (disabled is not null)
        {
            tx.OnCommitted(subscriptions.Invalidate);
        }

        // A failure that disables the webhook is its delivery's last: the job ends with it.
        string state = attempt.Ok ? DeliveryStates.Delivered : attempt.Final || disabled is not null ? DeliveryStates.Failed : DeliveryStates.Retrying;
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"UPDATE \"{WebhookTables.Deliveries}\" SET state = ").Parameter(SqlType.Text, state)
           .Append(", attempts = attempts + 1, last_status = ").Parameter(SqlType.Integer, (long?)attempt.Status)
           .Append(", last_latency_ms = ").Parameter(SqlType.Integer, (long)attempt.Latency.TotalMilliseconds)
           .Append(", last_excerpt = ").Parameter(SqlType.Text, Truncate(attempt.Excerpt)).Append(", last_error = ").Parameter(SqlType.Text, attempt.Error)
           .Append(", updated_at = ").Parameter(SqlType.Timestamp, now)
           .Append(", delivered_at = ").Parameter(SqlType.Timestamp, attempt.Ok ? now : null)
           .Append(" WHERE id = ").Parameter(SqlType.Text, delivery.Id);
        await tx.ExecuteAsync(sql, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return disabled;
    }

    /// <summary>Deletes finished deliveries last changed before <paramref name="before"/>; pending and retrying ones stay.</summary>
    public async Task<int> PurgeDeliveriesAsync(DateTime before, CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"DELETE FROM \"{WebhookTables.Deliveries}\" WHERE updated_at < ").Parameter(SqlType.Timestamp, before)
           .Append($" AND state IN ('{DeliveryStates.Delivered}', '{DeliveryStates.Failed}', '{DeliveryStates.Skipped}')");
        int deleted = await tx.ExecuteAsync(sql, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return deleted;
    }

    // Never splits a surrogate pair: PostgreSQL refuses text that is not valid UTF-16 turned UTF-8.
    private static string? Truncate(string? text)
    {
        if (text is not { Length: > MaxExcerptChars })
        {
            return text;
        }

        int end = char.IsHighSurrogate(text[MaxExcerptChars - 1]) ? MaxExcerptChars - 1 : MaxExcerptChars;
        return text[..end] + "…";
    }

    private static async Task<string?> ResetFailuresAsync(WriteTransaction tx, string webhookId, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"UPDATE \"{WebhookTables.Webhooks}\" SET consecutive_failures = 0 WHERE consecutive_failures <> 0 AND id = ")
           .Parameter(SqlType.Text, webhookId);
        await tx.ExecuteAsync(sql, cancellationToken);
        return null;
    }

    private static async Task<string?> CountFailureAsync(WriteTransaction tx, string webhookId, DeliveryAttempt attempt, int disableAfter, DateTime now,
        CancellationToken cancellationToken)
    {
        var count = new SqlBuilder(tx.Dialect);
        count.Append($"UPDATE \"{WebhookTables.Webhooks}\" SET consecutive_failures = consecutive_failures + 1 WHERE id = ")
             .Parameter(SqlType.Text, webhookId).Append(" RETURNING consecutive_failures");
        long failures;
        await using (var command = tx.CreateCommand(count))
        {
            if (await command.ExecuteScalarAsync(cancellationToken) is not { } value)
            {
                return null; // the webhook was deleted meanwhile
            }

            failures = Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
        }

        string? reason = attempt.DisableReason
            ?? (failures >= disableAfter ? $"disabled after {failures} failed attempts in a row; the last: {attempt.Error}" : null);
        if (reason is null)
        {
            return null;
        }

        // Only the attempt that switches it off records a reason; one already disabled keeps its own.
        var disable = new SqlBuilder(tx.Dialect);
        disable.Append($"UPDATE \"{WebhookTables.Webhooks}\" SET enabled = ").Parameter(SqlType.Boolean, false)
               .Append(", disabled_reason = ").Parameter(SqlType.Text, reason).Append(", updated_at = ").Parameter(SqlType.Timestamp, now)
               .Append(" WHERE enabled = ").Parameter(SqlType.Boolean, true).Append(" AND id = ").Parameter(SqlType.Text, webhookId);
        return await tx.ExecuteAsync(disable, cancellationToken) == 1 ? reason : null;
    }

    private async Task<List<WebhookDelivery>> QueryDeliveriesAsync(SqlBuilder sql, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        await using var command = sql.CreateCommand(connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var dialect = database.Dialect;
        var deliveries = new List<WebhookDelivery>();
        while (await reader.ReadAsync(cancellationToken))
        {
            deliveries.Add(ReadDelivery(reader, dialect));
        }

        return deliveries;
    }

    private static WebhookDelivery ReadDelivery(DbDataReader reader, ISqlDialect dialect) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetString(4),
        (int)reader.GetInt64(5),
        reader.IsDBNull(6) ? null : (int)reader.GetInt64(6),
        reader.IsDBNull(7) ? null : reader.GetInt64(7),
        reader.IsDBNull(8) ? null : reader.GetString(8),
        reader.IsDBNull(9) ? null : reader.GetString(9),
        reader.IsDBNull(10) ? null : reader.GetString(10),
        (DateTime)dialect.Read(reader, 11, SqlType.Timestamp)!,
        (DateTime)dialect.Read(reader, 12, SqlType.Timestamp)!,
        (DateTime?)dialect.Read(reader, 13, SqlType.Timestamp));
}
