using System.Buffers;
using System.Data.Common;
using System.Text;
using System.Text.Json;
using Fundament.Data;
using Fundament.Toolkit;

namespace Fundament.Webhooks.Outbound;

/// <summary>What a PATCH changes; null leaves a field as it is (<see cref="DescriptionSet"/> tells a null description from none).</summary>
public sealed record WebhookPatch(string? Url, IReadOnlyList<string>? Events, bool DescriptionSet, string? Description, bool? Enabled);

/// <summary>
/// The SQL of webhooks: subscriptions here, deliveries in <c>WebhookStore.Deliveries.cs</c>. Every change
/// to a subscription drops this node's cached list once it commits (<see cref="WebhookSubscriptions"/>).
/// </summary>
public sealed partial class WebhookStore(Database database, TimeProvider clock, WebhookSubscriptions subscriptions)
{
    private const string Columns =
        "id, url, events, description, secret, previous_secret, previous_secret_until, enabled, consecutive_failures, disabled_reason, created_at, updated_at";

    /// <summary>Creates a webhook with a fresh <c>whsec_</c> secret; the caller shows the secret once.</summary>
    public async Task<Webhook> CreateAsync(string url, IReadOnlyList<string> events, string? description, bool enabled, CancellationToken cancellationToken)
    {
        var now = Timestamps.Now(clock);
        var webhook = new Webhook(Uuids.NewV7(), url, events, description, WebhookSecret.Create().Text, null, null, enabled, 0, null, now, now);
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"INSERT INTO \"{WebhookTables.Webhooks}\" ({Columns}) VALUES (")
           .Parameter(SqlType.Text, webhook.Id).Append(", ").Parameter(SqlType.Text, url).Append(", ")
           .Parameter(SqlType.Json, EventsJson(events)).Append(", ").Parameter(SqlType.Text, description).Append(", ")
           .Parameter(SqlType.Text, webhook.Secret).Append(", NULL, NULL, ").Parameter(SqlType.Boolean, enabled).Append(", 0, NULL, ")
           .Parameter(SqlType.Timestamp, now).Append(", ").Parameter(SqlType.Timestamp, now).Append(')');
        await tx.ExecuteAsync(sql, cancellationToken);
        tx.OnCommitted(subscriptions.Invalidate);
        await tx.CommitAsync(cancellationToken);
        return webhook;
    }

    /// <summary>Every webhook, oldest first: an installation has a handful, so there is no paging.</summary>
    public async Task<List<Webhook>> ListAsync(CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(database.Dialect);
        sql.Append($"SELECT {Columns} FROM \"{WebhookTables.Webhooks}\" ORDER BY id");
        await using var connection = await database.OpenReadAsync(cancellationToken);
        return await QueryAsync(sql.CreateCommand(connection), database.Dialect, cancellationToken);
    }

    /// <summary>Finds a webhook by its canonical id, or null.</summary>
    public async Task<Webhook?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(database.Dialect);
        sql.Append($"SELECT {Columns} FROM \"{WebhookTables.Webhooks}\" WHERE id = ").Parameter(SqlType.Text, id);
        await using var connection = await database.OpenReadAsync(cancellationToken);
        var found = await QueryAsync(sql.CreateCommand(connection), database.Dialect, cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    /// <summary>Applies a patch; re-enabling clears the failure count and the reason. Null when the webhook does not exist.</summary>
    public async Task<Webhook?> UpdateAsync(string id, WebhookPatch patch, CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        if (await FindAsync(tx, id, cancellationToken) is not { } current)
        {
            return null;
        }

        var updated = current with
        {
            Url = patch.Url ?? current.Url,
            Events = patch.Events ?? current.Events,
            Description = patch.DescriptionSet ? patch.Description : current.Description,
            Enabled = patch.Enabled ?? current.Enabled,
            UpdatedAt = Timestamps.Now(clock),
        };
        if (updated.Enabled != current.Enabled)
        {
            // Switching it back on is a fresh start; switching it off by hand needs no reason recorded.
            updated = updated with { ConsecutiveFailures = 0, DisabledReason = null };
        }

        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"UPDATE \"{WebhookTables.Webhooks}\" SET url = ").Parameter(SqlType.Text, updated.Url)
           .Append(", events = ").Parameter(SqlType.Json, EventsJson(updated.Events))
           .Append(", description = ").Parameter(SqlType.Text, updated.Description)
           .Append(", enabled = ").Parameter(SqlType.Boolean, updated.Enabled)
           .Append(", consecutive_failures = ").Parameter(SqlType.Integer, (long)updated.ConsecutiveFailures)
           .Append(", disabled_reason = ").Parameter(SqlType.Text, updated.DisabledReason)
           .Append(", updated_at = ").Parameter(SqlType.Timestamp, updated.UpdatedAt)
           .Append(" WHERE id = ").Parameter(SqlType.Text, id);
        await tx.ExecuteAsync(sql, cancellationToken);
        tx.OnCommitted(subscriptions.Invalidate);
        await tx.CommitAsync(cancellationToken);
        return updated;
    }

    /// <summary>Deletes a webhook and, by cascade, its delivery log; queued attempts then find nothing to send.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"DELETE FROM \"{WebhookTables.Webhooks}\" WHERE id = ").Parameter(SqlType.Text, id);
        bool deleted = await tx.ExecuteAsync(sql, cancellationToken) == 1;
        tx.OnCommitted(subscriptions.Invalidate);
        await tx.CommitAsync(cancellationToken);
        return deleted;
    }

    /// <summary>
    /// Replaces the secret; the old one keeps signing next to it for <see cref="Webhook.RotationOverlap"/>.
    /// A second rotation inside that window drops the oldest secret: only one previous secret is kept.
    /// </summary>
    public async Task<Webhook?> RotateSecretAsync(string id, CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        if (await FindAsync(tx, id, cancellationToken) is not { } current)
        {
            return null;
        }

        var now = Timestamps.Now(clock);
        var rotated = current with
        {
            Secret = WebhookSecret.Create().Text,
            PreviousSecret = current.Secret,
            PreviousSecretUntil = now + Webhook.RotationOverlap,
            UpdatedAt = now,
        };
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"UPDATE \"{WebhookTables.Webhooks}\" SET secret = ").Parameter(SqlType.Text, rotated.Secret)
           .Append(", previous_secret = ").Parameter(SqlType.Text, rotated.PreviousSecret)
           .Append(", previous_secret_until = ").Parameter(SqlType.Timestamp, rotated.PreviousSecretUntil)
           .Append(", updated_at = ").Parameter(SqlType.Timestamp, now)
           .Append(" WHERE id = ").Parameter(SqlType.Text, id);
        await tx.ExecuteAsync(sql, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return rotated;
    }

    /// <summary>The enabled webhooks' ids and patterns, read inside the caller's transaction (the record write being dispatched).</summary>
    internal static async Task<List<(string Id, List<string> Events)>> ListEnabledAsync(WriteTransaction tx, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"SELECT id, events FROM \"{WebhookTables.Webhooks}\" WHERE enabled = ").Parameter(SqlType.Boolean, true).Append(" ORDER BY id");
        await using var command = tx.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var enabled = new List<(string, List<string>)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            enabled.Add((reader.GetString(0), ParseEvents((string)tx.Dialect.Read(reader, 1, SqlType.Json)!)));
        }

        return enabled;
    }

    private static async Task<Webhook?> FindAsync(WriteTransaction tx, string id, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"SELECT {Columns} FROM \"{WebhookTables.Webhooks}\" WHERE id = ").Parameter(SqlType.Text, id);
        var found = await QueryAsync(tx.CreateCommand(sql), tx.Dialect, cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    private static async Task<List<Webhook>> QueryAsync(DbCommand command, ISqlDialect dialect, CancellationToken cancellationToken)
    {
        await using (command)
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var webhooks = new List<Webhook>();
            while (await reader.ReadAsync(cancellationToken))
            {
                webhooks.Add(new Webhook(
                    reader.GetString(0),
                    reader.GetString(1),
                    ParseEvents((string)dialect.Read(reader, 2, SqlType.Json)!),
                    reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.GetString(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5),
                    (DateTime?)dialect.Read(reader, 6, SqlType.Timestamp),
                    (bool)dialect.Read(reader, 7, SqlType.Boolean)!,
                    (int)reader.GetInt64(8),
                    reader.IsDBNull(9) ? null : reader.GetString(9),
                    (DateTime)dialect.Read(reader, 10, SqlType.Timestamp)!,
                    (DateTime)dialect.Read(reader, 11, SqlType.Timestamp)!));
            }

            return webhooks;
        }
    }

    private static string EventsJson(IReadOnlyList<string> events)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var pattern in events)
            {
                writer.WriteStringValue(pattern);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static List<string> ParseEvents(string json)
    {
        using var document = JsonDocument.Parse(json);
        var events = new List<string>(document.RootElement.GetArrayLength());
        foreach (var pattern in document.RootElement.EnumerateArray())
        {
            events.Add(pattern.GetString()!);
        }

        return events;
    }
}
