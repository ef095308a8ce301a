using System.Buffers;
using System.Data.Common;
using System.Text.Json;
using Fundament.Data;

namespace Fundament.Webhooks.Inbound;

/// <summary>The SQL of inbound hooks: the hooks themselves, and the event log that deduplicates deliveries.</summary>
public sealed class InboundHookStore(Database database)
{
    private const string HookColumns = "name, verifier, secrets, collection, job, created_at, updated_at";
    private const string EventColumns = "id, event_id, received_at, body, record_id, job_id";

    public Database Database => database;

    public async Task<InboundHook?> FindAsync(string name, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(database.Dialect);
        sql.Append($"SELECT {HookColumns} FROM \"{InboundHookTables.Hooks}\" WHERE name = ").Parameter(SqlType.Text, name);
        var hooks = await QueryHooksAsync(sql, cancellationToken);
        return hooks.Count == 0 ? null : hooks[0];
    }

    public Task<List<InboundHook>> ListAsync(CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(database.Dialect);
        sql.Append($"SELECT {HookColumns} FROM \"{InboundHookTables.Hooks}\" ORDER BY name");
        return QueryHooksAsync(sql, cancellationToken);
    }

    /// <summary>Saves a new hook; false when the name is taken.</summary>
    public async Task<bool> CreateAsync(InboundHook hook, CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"INSERT INTO \"{InboundHookTables.Hooks}\" ({HookColumns}) VALUES (").Parameter(SqlType.Text, hook.Name).Append(", ");
        AppendSettings(sql, hook, ", ");
        sql.Append(", ").Parameter(SqlType.Timestamp, hook.CreatedAt).Append(", ").Parameter(SqlType.Timestamp, hook.UpdatedAt)
           .Append(") ON CONFLICT (name) DO NOTHING");
        bool created = await tx.ExecuteAsync(sql, cancellationToken) == 1;
        await tx.CommitAsync(cancellationToken);
        return created;
    }

    /// <summary>
    /// Saves changed settings if the hook is still as it was read (its <paramref name="readAt"/> unchanged);
    /// false when it was changed or deleted in between, so two concurrent edits cannot silently merge.
    /// </summary>
    public async Task<bool> UpdateAsync(InboundHook hook, DateTime readAt, CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"UPDATE \"{InboundHookTables.Hooks}\" SET verifier = ").Parameter(SqlType.Text, hook.Verifier)
           .Append(", secrets = ").Parameter(SqlType.Json, SecretsJson(hook.Secrets))
           .Append(", collection = ").Parameter(SqlType.Text, hook.Collection)
           .Append(", job = ").Parameter(SqlType.Json, hook.Job)
           .Append(", updated_at = ").Parameter(SqlType.Timestamp, hook.UpdatedAt)
           .Append(" WHERE name = ").Parameter(SqlType.Text, hook.Name).Append(" AND updated_at = ").Parameter(SqlType.Timestamp, readAt);
        bool updated = await tx.ExecuteAsync(sql, cancellationToken) == 1;
        await tx.CommitAsync(cancellationToken);
        return updated;
    }

    /// <summary>Deletes a hook and, by the foreign key's cascade, its event log.</summary>
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"DELETE FROM \"{InboundHookTables.Hooks}\" WHERE name = ").Parameter(SqlType.Text, name);
        bool deleted = await tx.ExecuteAsync(sql, cancellationToken) == 1;
        await tx.CommitAsync(cancellationToken);
        return deleted;
    }

    /// <summary>
    /// Records an event as received, unless the hook already has one with this id: false then, and nothing
    /// changes. On PostgreSQL a concurrent delivery of the same id waits here for the first to commit or roll back.
    /// </summary>
    public async Task<bool> TryAddEventAsync(WriteTransaction tx, string hook, InboundEventEntry entry, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"INSERT INTO \"{InboundHookTables.Events}\" (hook, {EventColumns}) VALUES (").Parameter(SqlType.Text, hook).Append(", ")
           .Parameter(SqlType.Text, entry.Id).Append(", ").Parameter(SqlType.Text, entry.EventId).Append(", ")
           .Parameter(SqlType.Timestamp, entry.ReceivedAt).Append(", ").Parameter(SqlType.Text, entry.Body).Append(", ")
           .Parameter(SqlType.Text, entry.RecordId).Append(", ").Parameter(SqlType.Text, entry.JobId)
           .Append(") ON CONFLICT (hook, event_id) DO NOTHING");
        return await tx.ExecuteAsync(sql, cancellationToken) == 1;
    }

    /// <summary>Notes the record and job an event produced, in the transaction that produced them.</summary>
    public static async Task SetEffectsAsync(WriteTransaction tx, string hook, string eventId, string? recordId, string? jobId, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"UPDATE \"{InboundHookTables.Events}\" SET record_id = ").Parameter(SqlType.Text, recordId)
           .Append(", job_id = ").Parameter(SqlType.Text, jobId)
           .Append(" WHERE hook = ").Parameter(SqlType.Text, hook).Append(" AND event_id = ").Parameter(SqlType.Text, eventId);
        await tx.ExecuteAsync(sql, cancellationToken);
    }

    public async Task<InboundEventEntry?> FindEventAsync(string hook, string eventId, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(database.Dialect);
        sql.Append($"SELECT {EventColumns} FROM \"{InboundHookTables.Events}\" WHERE hook = ").Parameter(SqlType.Text, hook)
           .Append(" AND event_id = ").Parameter(SqlType.Text, eventId);
        var events = await QueryEventsAsync(sql, cancellationToken);
        return events.Count == 0 ? null : events[0];
    }

    /// <summary>A hook's events newest first; <paramref name="before"/> is the last id of the previous page.</summary>
    public Task<List<InboundEventEntry>> ListEventsAsync(string hook, int limit, string? before, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(database.Dialect);
        sql.Append($"SELECT {EventColumns} FROM \"{InboundHookTables.Events}\" WHERE hook = ").Parameter(SqlType.Text, hook);
        if (before is not null)
        {
            sql.Append(" AND id < ").Parameter(SqlType.Text, before);
        }

        sql.Append(" ORDER BY id DESC LIMIT ").Parameter(SqlType.Integer, (long)limit);
        return QueryEventsAsync(sql, cancellationToken);
    }

    private static void AppendSettings(SqlBuilder sql, InboundHook hook, string separator) =>
        sql.Parameter(SqlType.Text, hook.Verifier).Append(separator).Parameter(SqlType.Json, SecretsJson(hook.Secrets)).Append(separator)
           .Parameter(SqlType.Text, hook.Collection).Append(separator).Parameter(SqlType.Json, hook.Job);

    private static string SecretsJson(IReadOnlyList<string> secrets)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (string secret in secrets)
            {
                writer.WriteStringValue(secret);
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private async Task<List<InboundHook>> QueryHooksAsync(SqlBuilder sql, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        await using var command = sql.CreateCommand(connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var dialect = database.Dialect;
        var hooks = new List<InboundHook>();
        while (await reader.ReadAsync(cancellationToken))
        {
            using var secrets = JsonDocument.Parse((string)dialect.Read(reader, 2, SqlType.Json)!);
            hooks.Add(new InboundHook(
                reader.GetString(0),
                reader.GetString(1),
                secrets.RootElement.EnumerateArray().Select(s => s.GetString()!).ToArray(),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                (string?)dialect.Read(reader, 4, SqlType.Json),
                (DateTime)dialect.Read(reader, 5, SqlType.Timestamp)!,
                (DateTime)dialect.Read(reader, 6, SqlType.Timestamp)!));
        }

        return hooks;
    }

    private async Task<List<InboundEventEntry>> QueryEventsAsync(SqlBuilder sql, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        await using var command = sql.CreateCommand(connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var events = new List<InboundEventEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(ReadEvent(reader, database.Dialect));
        }

        return events;
    }

    private static InboundEventEntry ReadEvent(DbDataReader reader, ISqlDialect dialect) => new(
        reader.GetString(0),
        reader.GetString(1),
        (DateTime)dialect.Read(reader, 2, SqlType.Timestamp)!,
        reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetString(4),
        reader.IsDBNull(5) ? null : reader.GetString(5));
}

/// <summary>One accepted event as the log keeps it: the body exactly as signed, and what it produced.</summary>
public sealed record InboundEventEntry(string Id, string EventId, DateTime ReceivedAt, string Body, string? RecordId, string? JobId);
