using System.Data.Common;
using System.Numerics;
using System.Text;
using Fundament.Data;

namespace Fundament.Realtime;

/// <summary>SQL for the change log (<see cref="RealtimeTables.Changes"/>).</summary>
internal sealed class ChangeStore(Database database)
{
    /// <summary>The PostgreSQL channel every node listens on; the payload is empty, the log holds the changes.</summary>
    public const string Channel = "fundament_changes";

    private const string Columns = "id, collection, record_id, action, record, previous, origin";

    /// <summary>
    /// True on SQLite: one node writes the log, so ids commit in order and no other node's writes need the feed to
    /// reach this node's cache (other processes on the same file are not seen by the cache either way; see the README).
    /// </summary>
    public bool SingleNode => database.Dialect.Provider == DatabaseProvider.Sqlite;

    /// <summary>Rows one prune transaction deletes at most, in production.</summary>
    public const int PruneBatch = 1_000;

    private const string ChangesTable = $"\"{RealtimeTables.Changes}\"";
    private const string OlderTable = $"\"{RealtimeTables.OlderChanges}\"";
    private const string NewestId = $"COALESCE((SELECT MAX(id) FROM {ChangesTable}), (SELECT MAX(id) FROM {OlderTable}))";

    /// <summary>
    /// The log as every record write's last write (<see cref="WriteTransaction.Append"/>): its changes go in, in order,
    /// just before it commits — on SQLite with the rest of its commit group — so they take their ids only moments before
    /// they become visible.
    /// </summary>
    public static readonly AppendTable<PendingChange> Log = new LogTable();

    private sealed class LogTable : AppendTable<PendingChange>
    {
        // INSERT texts by log2 of their row count. They name no identifier through the dialect, so they are the same on every database.
        private readonly string?[] _statements = new string?[BitOperations.Log2(MaxRowsPerInsert) + 1];

        protected internal override SqlBuilder Insert(ISqlDialect dialect, ReadOnlySpan<PendingChange> rows)
        {
            ref string? statement = ref _statements[BitOperations.Log2((uint)rows.Length)];
            var sql = new SqlBuilder(dialect, statement ??= InsertStatement(dialect, rows.Length));
            foreach (var change in rows)
            {
                sql.AddParameter(SqlType.Text, change.Collection);
                sql.AddParameter(SqlType.Text, change.RecordId);
                sql.AddParameter(SqlType.Text, change.Action);
                sql.AddParameter(SqlType.Text, change.Record);
                sql.AddParameter(SqlType.Text, change.Previous);
                sql.AddParameter(SqlType.Text, change.Origin);
                sql.AddParameter(SqlType.Timestamp, change.At);
            }

            return sql;
        }
    }

    // The INSERT of a number of changes, seven placeholders per change in column order.
    private static string InsertStatement(ISqlDialect dialect, int rows)
    {
        var sql = new SqlBuilder(dialect);
        sql.Append($"INSERT INTO {ChangesTable} (collection, record_id, action, record, previous, origin, created_at) VALUES ");
        for (int i = 0; i < rows; i++)
        {
            sql.Append(i == 0 ? "(" : ", (");
            for (int column = 0; column < 7; column++)
            {
                sql.Append(column == 0 ? string.Empty : ", ").Parameter(SqlType.Text, null);
            }

            sql.Append(')');
        }

        return sql.ToString();
    }

    /// <summary>The newest change id, or 0 for an empty log.</summary>
    public async Task<long> MaxIdAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COALESCE({NewestId}, 0)";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>True when the log still holds <paramref name="id"/> or an older change, so nothing after it was pruned.</summary>
    public async Task<bool> ReachesBackToAsync(long id, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(database.Dialect);
        sql.Append($"SELECT 1 FROM {OlderTable} WHERE id <= ").Parameter(SqlType.Integer, id)
           .Append($" UNION ALL SELECT 1 FROM {ChangesTable} WHERE id <= ").Parameter(SqlType.Integer, id).Append(" LIMIT 1");
        await using var connection = await database.OpenReadAsync(cancellationToken);
        await using var command = sql.CreateCommand(connection);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    /// <summary>Changes after <paramref name="afterId"/> (up to <paramref name="upToId"/> when given) in id order.</summary>
    /// <remarks>Each table gives its first <paramref name="limit"/> in id order, so a resume from far back sorts no more than twice that.</remarks>
    public async Task<List<Change>> ListAfterAsync(long afterId, long? upToId, int limit, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(database.Dialect);
        sql.Append($"SELECT {Columns} FROM (");
        foreach (string table in (ReadOnlySpan<string>)[OlderTable, ChangesTable])
        {
            sql.Append(table == OlderTable ? string.Empty : " UNION ALL ")
               .Append($"SELECT {Columns} FROM (SELECT {Columns} FROM {table} WHERE id > ").Parameter(SqlType.Integer, afterId);
            if (upToId is { } upTo)
            {
                sql.Append(" AND id <= ").Parameter(SqlType.Integer, upTo);
            }

            sql.Append(" ORDER BY id LIMIT ").Parameter(SqlType.Integer, (long)limit).Append(table == OlderTable ? ") AS older" : ") AS newer");
        }

        sql.Append(") AS log ORDER BY id LIMIT ").Parameter(SqlType.Integer, (long)limit);
        return await ReadAsync(sql, late: false, cancellationToken);
    }

    /// <summary>Those of <paramref name="ids"/> that are in the log now: changes that committed after later ones were delivered.</summary>
    public async Task<List<Change>> ListLateAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(database.Dialect);
        foreach (string table in (ReadOnlySpan<string>)[OlderTable, ChangesTable])
        {
            sql.Append(table == OlderTable ? string.Empty : " UNION ALL ").Append($"SELECT {Columns} FROM {table} WHERE id IN (");
            string separator = string.Empty;
            foreach (long id in ids)
            {
                sql.Append(separator).Parameter(SqlType.Integer, id);
                separator = ", ";
            }

            sql.Append(')');
        }

        sql.Append(" ORDER BY id");
        return await ReadAsync(sql, late: true, cancellationToken);
    }

    /// <summary>
    /// Keeps the log within its window: drops changes older than <paramref name="before"/> and all but the
    /// newest <paramref name="maxRows"/>. It always cuts a prefix by id — never a change newer than one it
    /// keeps — so "the log still reaches back to id N" tells a resume that nothing after N is missing. The
    /// newest change always stays, so a client that is up to date can resume after a quiet spell.
    /// </summary>
    /// <remarks>
    /// Rows are deleted oldest first, <paramref name="batch"/> per write transaction, so that a prune never holds the one
    /// SQLite writer for long; each batch leaves a prefix cut, so a prune stopped half-way is safe. Under a stream of
    /// writes a minute adds hundreds of thousands of changes, and deleting them row by row cost every write a few
    /// microseconds more, so on SQLite the log is two tables (<see cref="RealtimeTables.OlderChanges"/>): an older table
    /// that is all out of the window is emptied whole, and when the current one holds at least
    /// <see cref="RotationRows"/> changes to drop, it becomes the older table instead of losing them one by one — they
    /// go whole with a later prune, so such changes outlive the window by up to one prune.
    /// </remarks>
    public async Task<int> PruneAsync(DateTime before, int maxRows, int batch, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        if (await PruneCutAsync(before, maxRows, cancellationToken) is not { } cut)
        {
            return 0;
        }

        if (!SingleNode || cut.OlderNewest > cut.Id)
        {
            // The older table first: the cut is a prefix of the log. (PostgreSQL keeps the older table empty.)
            return await DeleteUpToAsync(OlderTable, cut.Id, batch, cancellationToken)
                + await DeleteUpToAsync(ChangesTable, cut.Id, batch, cancellationToken);
        }

        int deleted = cut.OlderNewest > 0 ? await EmptyOlderTableAsync(cancellationToken) : 0;
        if (cut.CurrentOldest > cut.Id)
        {
            return deleted;
        }

        if (cut.Id - cut.CurrentOldest + 1 >= RotationRows)
        {
            await RotateAsync(cancellationToken);
            return deleted;
        }

        return deleted + await DeleteUpToAsync(ChangesTable, cut.Id, batch, cancellationToken);
    }

    /// <summary>
    /// How many changes to drop make the current table the older one instead of deleting them (SQLite); a prune deletes
    /// fewer in well under a second of the writer's time.
    /// </summary>
    internal int RotationRows { get; set; } = 10_000;

    private async Task<int> EmptyOlderTableAsync(CancellationToken cancellationToken)
    {
        // A DELETE without WHERE frees the table's pages without visiting its rows.
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        int deleted = await tx.ExecuteAsync(new SqlBuilder(tx.Dialect, $"DELETE FROM {OlderTable}"), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return deleted;
    }

    // Renames the current table to the (empty) older one and starts a new current one where its ids left off. A rename
    // is a schema change, so it runs alone on the writer; keeping every change, it deletes none.
    private async Task RotateAsync(CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken, schemaChange: true);
        await tx.ExecuteRawAsync($"DROP TABLE {OlderTable}", cancellationToken);
        await tx.ExecuteRawAsync($"ALTER TABLE {ChangesTable} RENAME TO {OlderTable}", cancellationToken);
        await tx.ExecuteRawAsync(RealtimeTables.CreateChanges(tx.Dialect, RealtimeTables.Changes), cancellationToken);
        // AUTOINCREMENT's counter went with the rename; ids must go on growing from where they were.
        await tx.ExecuteRawAsync(
            $"INSERT INTO sqlite_sequence (name, seq) SELECT '{RealtimeTables.Changes}', seq FROM sqlite_sequence WHERE name = '{RealtimeTables.OlderChanges}'",
            cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    private async Task<int> DeleteUpToAsync(string table, long cut, int batch, CancellationToken cancellationToken)
    {
        int deleted = 0;
        while (true)
        {
            await using var tx = await database.BeginWriteAsync(cancellationToken);
            var sql = new SqlBuilder(tx.Dialect);
            sql.Append($"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} WHERE id <= ").Parameter(SqlType.Integer, cut)
               .Append(" ORDER BY id LIMIT ").Parameter(SqlType.Integer, (long)batch).Append(')');
            int batchDeleted = await tx.ExecuteAsync(sql, cancellationToken);
            await tx.CommitAsync(cancellationToken);
            deleted += batchDeleted;
            if (batchDeleted < batch)
            {
                return deleted;
            }
        }
    }

    /// <summary>
    /// The newest id a prune deletes up to: the later of the two limits, always below the newest change; null for an
    /// empty log. The time limit is the change before the oldest one still inside the window, found by walking ids
    /// from the oldest: the rows it passes are the ones the prune deletes anyway, so it needs no index on time.
    /// </summary>
    private async Task<PruneCut?> PruneCutAsync(DateTime before, int maxRows, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(database.Dialect);
        sql.Append($"SELECT {NewestId}, COALESCE((SELECT id FROM {OlderTable} WHERE created_at >= ").Parameter(SqlType.Timestamp, before)
           .Append($" ORDER BY id LIMIT 1), (SELECT id FROM {ChangesTable} WHERE created_at >= ").Parameter(SqlType.Timestamp, before)
           .Append($" ORDER BY id LIMIT 1)), (SELECT MAX(id) FROM {OlderTable}), (SELECT MIN(id) FROM {ChangesTable})");
        await using var connection = await database.OpenReadAsync(cancellationToken);
        await using var command = sql.CreateCommand(connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken) || await reader.IsDBNullAsync(0, cancellationToken))
        {
            return null;
        }

        long newest = reader.GetInt64(0);
        // No change inside the window: all of them are older (the newest stays all the same).
        long olderThanWindow = await reader.IsDBNullAsync(1, cancellationToken) ? newest : reader.GetInt64(1) - 1;
        long cut = Math.Min(Math.Max(newest - maxRows, olderThanWindow), newest - 1);
        if (cut <= 0)
        {
            return null;
        }

        // An empty older table counts as all pruned; an empty current one has nothing to hand over.
        long olderNewest = await reader.IsDBNullAsync(2, cancellationToken) ? 0 : reader.GetInt64(2);
        long currentOldest = await reader.IsDBNullAsync(3, cancellationToken) ? long.MaxValue : reader.GetInt64(3);
        return new PruneCut(cut, olderNewest, currentOldest);
    }

    private sealed record PruneCut(long Id, long OlderNewest, long CurrentOldest);

    private async Task<List<Change>> ReadAsync(SqlBuilder sql, bool late, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        await using var command = sql.CreateCommand(connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var changes = new List<Change>();
        while (await reader.ReadAsync(cancellationToken))
        {
            changes.Add(Read(reader, late));
        }

        // Streams send these changes on their own, outside any response's start.
        await database.WhenReadsDurable();
        return changes;
    }

    private static Change Read(DbDataReader reader, bool late) =>
        new(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
            Encoding.UTF8.GetBytes(reader.GetString(4)), reader.IsDBNull(5) ? null : Encoding.UTF8.GetBytes(reader.GetString(5)))
        {
            Origin = reader.GetString(6),
            IsLate = late,
        };
}
