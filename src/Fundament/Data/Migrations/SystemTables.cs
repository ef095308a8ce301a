namespace Fundament.Data.Migrations;

/// <summary>The tables Fundament itself needs, in both dialects.</summary>
public static class SystemTables
{
    public const string Migrations = "_migrations";
    public const string Collections = "_collections";
    public const string Idempotency = "_idempotency";

    /// <summary>Creates <c>_migrations</c>; runs before anything else, so it cannot be a migration itself.</summary>
    public static string CreateMigrationsTable(ISqlDialect dialect) =>
        $"""
        CREATE TABLE IF NOT EXISTS "{Migrations}" (
          name TEXT PRIMARY KEY NOT NULL,
          source TEXT NOT NULL,
          checksum TEXT NOT NULL,
          content TEXT NOT NULL,
          applied_at {dialect.ColumnType(SqlType.Timestamp)} NOT NULL
        )
        """;

    public static readonly SystemMigration CreateCoreTables = new("1763683200_create_core_tables", async (tx, ct) =>
    {
        string timestamp = tx.Dialect.ColumnType(SqlType.Timestamp);
        await tx.ExecuteRawAsync(
            $"""
            CREATE TABLE "{Collections}" (
              name TEXT PRIMARY KEY NOT NULL,
              definition TEXT NOT NULL,
              created_at {timestamp} NOT NULL,
              updated_at {timestamp} NOT NULL
            )
            """, ct);
        await tx.ExecuteRawAsync(
            $"""
            CREATE TABLE "{Idempotency}" (
              key TEXT PRIMARY KEY NOT NULL,
              request_hash TEXT NOT NULL,
              status INTEGER NOT NULL,
              location TEXT,
              body TEXT,
              created_at {timestamp} NOT NULL
            )
            """, ct);
        await tx.ExecuteRawAsync($"CREATE INDEX \"ix_{Idempotency}_created_at\" ON \"{Idempotency}\" (created_at)", ct);
    });
}
