using Fundament.Data;
using Fundament.Data.Migrations;

namespace Fundament.Webhooks.Outbound;

/// <summary>The subscriptions and their delivery log.</summary>
public static class WebhookTables
{
    public const string Webhooks = "_webhooks";
    public const string Deliveries = "_webhook_deliveries";

    /// <summary>
    /// <c>payload</c> is TEXT, not JSON: PostgreSQL's jsonb would reorder and reformat it, and every
    /// attempt must send (and sign) the bytes that were built when the event happened.
    /// </summary>
    public static readonly SystemMigration Migration = new("1763769700_create_webhooks", async (tx, ct) =>
    {
        string timestamp = tx.Dialect.ColumnType(SqlType.Timestamp);
        string integer = tx.Dialect.ColumnType(SqlType.Integer);
        string boolean = tx.Dialect.ColumnType(SqlType.Boolean);
        string json = tx.Dialect.ColumnType(SqlType.Json);
        await tx.ExecuteRawAsync(
            $"""
            CREATE TABLE "{Webhooks}" (
              id TEXT PRIMARY KEY NOT NULL,
              url TEXT NOT NULL,
              events {json} NOT NULL,
              description TEXT,
              secret TEXT NOT NULL,
              previous_secret TEXT,
              previous_secret_until {timestamp},
              enabled {boolean} NOT NULL,
              consecutive_failures {integer} NOT NULL,
              disabled_reason TEXT,
              created_at {timestamp} NOT NULL,
              updated_at {timestamp} NOT NULL
            )
            """, ct);
        await tx.ExecuteRawAsync(
            $"""
            CREATE TABLE "{Deliveries}" (
              id TEXT PRIMARY KEY NOT NULL,
              webhook_id TEXT NOT NULL REFERENCES "{Webhooks}" (id) ON DELETE CASCADE,
              event_type TEXT NOT NULL,
              payload TEXT NOT NULL,
              state TEXT NOT NULL,
              attempts {integer} NOT NULL,
              last_status {integer},
              last_latency_ms {integer},
              last_excerpt TEXT,
              last_error TEXT,
              job_id TEXT,
              created_at {timestamp} NOT NULL,
              updated_at {timestamp} NOT NULL,
              delivered_at {timestamp}
            )
            """, ct);
        await tx.ExecuteRawAsync($"CREATE INDEX \"ix_{Deliveries}_webhook\" ON \"{Deliveries}\" (webhook_id, id)", ct);
    });
}
