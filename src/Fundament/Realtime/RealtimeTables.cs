using Fundament.Data;
using Fundament.Data.Migrations;

namespace Fundament.Realtime;

/// <summary>The change log streams are fed and resumed from, and the tickets browsers connect with.</summary>
public static class RealtimeTables
{
    public const string Changes = "_changes";
    public const string Tickets = "_realtime_tickets";

    /// <summary>
    /// <c>_changes.id</c> is the event id clients see, so it must only ever grow: AUTOINCREMENT on SQLite
    /// (a plain rowid would restart after the log is pruned empty), an identity on PostgreSQL, where the
    /// sequence orders ids across nodes. <c>record</c> is the record's JSON as the API shows it (hidden
    /// fields never), <c>previous</c> the state before an update: subscribers are judged on both, and a
    /// permanently deleted row can no longer be read. Both are TEXT so they are sent byte for byte.
    /// <c>origin</c> names the process that wrote the change, so a node can tell other nodes' writes from its own.
    /// No index but the id: every write inserts a change and every change is deleted again, and the prune finds its
    /// time cut walking ids from the oldest (<see cref="ChangeStore.PruneAsync"/>).
    /// </summary>
    public static readonly SystemMigration Migration = new("1763900000_create_realtime", async (tx, ct) =>
    {
        await tx.ExecuteRawAsync(CreateChanges(tx.Dialect, Changes), ct);
        string timestamp = tx.Dialect.ColumnType(SqlType.Timestamp);
        await tx.ExecuteRawAsync(
            $"""
            CREATE TABLE "{Tickets}" (
              hash TEXT PRIMARY KEY NOT NULL,
              caller_collection TEXT NOT NULL,
              caller_id TEXT NOT NULL,
              api_key_id TEXT,
              expires_at {timestamp} NOT NULL
            )
            """, ct);
    });

    /// <summary>
    /// The older half of the log on SQLite: a prune renames <see cref="Changes"/> to this once every change left in it
    /// is out of the window, and drops it whole — far cheaper than deleting hundreds of thousands of rows one by one
    /// (<see cref="ChangeStore.PruneAsync"/>). Its ids are all below those of <see cref="Changes"/>. PostgreSQL deletes
    /// rows where they are and leaves this table empty; both read the two tables the same way.
    /// </summary>
    public const string OlderChanges = "_changes_old";

    public static readonly SystemMigration OlderChangesMigration = new("1765100000_create_older_changes",
        (tx, ct) => tx.ExecuteRawAsync(CreateChanges(tx.Dialect, OlderChanges), ct));

    /// <summary>The DDL of a change log table (<see cref="Changes"/>, <see cref="OlderChanges"/>).</summary>
    internal static string CreateChanges(ISqlDialect dialect, string table)
    {
        string id = dialect.Provider == DatabaseProvider.Postgres
            ? "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
            : "INTEGER PRIMARY KEY AUTOINCREMENT";
        return $"""
            CREATE TABLE "{table}" (
              id {id},
              collection TEXT NOT NULL,
              record_id TEXT NOT NULL,
              action TEXT NOT NULL,
              record TEXT NOT NULL,
              previous TEXT,
              origin TEXT NOT NULL,
              created_at {dialect.ColumnType(SqlType.Timestamp)} NOT NULL
            )
            """;
    }

    /// <summary>
    /// Drops the <c>created_at</c> index that databases created before it was taken out of <see cref="Migration"/>
    /// still have: it cost every write an index insert (and a page in every group commit) and every pruned change an
    /// index delete, for a lookup the prune now makes in id order.
    /// </summary>
    public static readonly SystemMigration DropCreatedIndex = new("1765000000_drop_changes_created_index",
        (tx, ct) => tx.ExecuteRawAsync($"DROP INDEX IF EXISTS \"ix_{Changes}_created\"", ct));
}
