using Fundament.Data;
using Fundament.Data.Migrations;

namespace Fundament.Webhooks.Inbound;

/// <summary>
/// The inbound hooks' tables: one row per configured hook, and one per event it accepted. The event's
/// primary key (hook, event_id) is the deduplication; its <c>id</c> (UUIDv7) orders the event log.
/// </summary>
public static class InboundHookTables
{
    public const string Hooks = "_inbound_hooks";
    public const string Events = "_inbound_events";

    public static readonly SystemMigration Migration = new("1763769800_create_inbound_hooks", async (tx, ct) =>
    {
        string timestamp = tx.Dialect.ColumnType(SqlType.Timestamp);
        string json = tx.Dialect.ColumnType(SqlType.Json);
        await tx.ExecuteRawAsync(
            $"""
            CREATE TABLE "{Hooks}" (
              name TEXT PRIMARY KEY NOT NULL,
              verifier TEXT NOT NULL,
              secrets {json} NOT NULL,
              collection TEXT,
              job {json},
              created_at {timestamp} NOT NULL,
              updated_at {timestamp} NOT NULL
            )
            """, ct);
        await tx.ExecuteRawAsync(
            $"""
            CREATE TABLE "{Events}" (
              hook TEXT NOT NULL REFERENCES "{Hooks}" (name) ON DELETE CASCADE,
              event_id TEXT NOT NULL,
              id TEXT NOT NULL UNIQUE,
              received_at {timestamp} NOT NULL,
              body TEXT NOT NULL,
              record_id TEXT,
              job_id TEXT,
              PRIMARY KEY (hook, event_id)
            )
            """, ct);
        await tx.ExecuteRawAsync($"CREATE INDEX \"ix_{Events}_log\" ON \"{Events}\" (hook, id)", ct);
    });
}
