using Fundament.Data;
using Fundament.Data.Migrations;

namespace Fundament.Jobs;

/// <summary>The queue's tables: jobs, their attempt log, and cron schedules.</summary>
public static class JobTables
{
    public const string Jobs = "_jobs";
    public const string Attempts = "_job_attempts";
    public const string Schedules = "_schedules";

    public static readonly SystemMigration Migration = new("1763769600_create_jobs", async (tx, ct) =>
    {
        string timestamp = tx.Dialect.ColumnType(SqlType.Timestamp);
        string integer = tx.Dialect.ColumnType(SqlType.Integer);
        string boolean = tx.Dialect.ColumnType(SqlType.Boolean);
        // Payloads are TEXT on both databases: jsonb would reorder keys and respace the bodies that http jobs send.
        await tx.ExecuteRawAsync(
            $"""
            CREATE TABLE "{Jobs}" (
              id TEXT PRIMARY KEY NOT NULL,
              type TEXT NOT NULL,
              queue TEXT NOT NULL,
              priority {integer} NOT NULL,
              payload TEXT NOT NULL,
              state TEXT NOT NULL,
              attempts {integer} NOT NULL,
              attempt_count {integer} NOT NULL,
              max_attempts {integer} NOT NULL,
              timeout_seconds {integer} NOT NULL,
              backoff_initial_ms {integer} NOT NULL,
              backoff_max_ms {integer} NOT NULL,
              run_at {timestamp} NOT NULL,
              idempotency_key TEXT UNIQUE,
              lease_owner TEXT,
              lease_until {timestamp},
              last_error TEXT,
              schedule TEXT,
              created_at {timestamp} NOT NULL,
              updated_at {timestamp} NOT NULL
            )
            """, ct);
        await tx.ExecuteRawAsync($"CREATE INDEX \"ix_{Jobs}_due\" ON \"{Jobs}\" (state, queue, run_at)", ct);
        await tx.ExecuteRawAsync($"CREATE INDEX \"ix_{Jobs}_lease\" ON \"{Jobs}\" (state, lease_until)", ct);
        await tx.ExecuteRawAsync(
            $"""
            CREATE TABLE "{Attempts}" (
              job_id TEXT NOT NULL REFERENCES "{Jobs}" (id) ON DELETE CASCADE,
              attempt {integer} NOT NULL,
              started_at {timestamp} NOT NULL,
              finished_at {timestamp},
              ok {boolean},
              error TEXT,
              status {integer},
              excerpt TEXT,
              node TEXT,
              PRIMARY KEY (job_id, attempt)
            )
            """, ct);
        await tx.ExecuteRawAsync($"CREATE INDEX \"ix_{Attempts}_started_at\" ON \"{Attempts}\" (started_at)", ct);
        await tx.ExecuteRawAsync(
            $"""
            CREATE TABLE "{Schedules}" (
              name TEXT PRIMARY KEY NOT NULL,
              cron TEXT NOT NULL,
              time_zone TEXT NOT NULL,
              job TEXT NOT NULL,
              enabled {boolean} NOT NULL,
              next_run_at {timestamp},
              last_run_at {timestamp},
              last_job_id TEXT,
              created_at {timestamp} NOT NULL,
              updated_at {timestamp} NOT NULL
            )
            """, ct);
    });
}
