using System.Diagnostics;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Fundament.Data.Sqlite;

/// <summary>
/// The one writer connection of a <see cref="SqliteDatabase"/>, with group commit. Write transactions
/// still take the writer one at a time, but consecutive ones share one SQLite transaction, each inside
/// its own savepoint, so one COMMIT and one sync make a whole group durable. A member's
/// <see cref="WriteTransaction.CommitAsync"/> releases its savepoint, hands the writer on, and returns
/// only once its group is on disk: nothing is acknowledged before it is durable.
/// </summary>
/// <remarks>
/// When a member commits and nobody waits for the writer, the group is committed at once. When writers
/// wait, the writer goes to them and a flush is queued behind them on the same FIFO lock, so a group
/// holds the writers that were waiting when its first member committed — it grows with the load and
/// cannot be held open by new arrivals. A group also closes at <see cref="MaxGroupSize"/> members or
/// <see cref="MaxGroupAge"/>.
/// <para>
/// With full sync the connection still runs <c>synchronous = NORMAL</c>: a COMMIT only writes the WAL, and
/// <see cref="WalSync"/> then syncs it off the writer. Writers go on into the next group meanwhile instead of
/// queueing behind the disk (the CPU had nothing else to do then), and that group commits when the sync ends,
/// so it also holds whoever wrote during the sync; once full it keeps the writer until then. Every group
/// field is touched only by the holder of <see cref="_lock"/>.
/// </para>
/// </remarks>
internal sealed partial class SqliteWriter : IAsyncDisposable
{
    /// <summary>Default of <see cref="MaxGroupSize"/>.</summary>
    internal const int DefaultMaxGroupSize = 64;

    /// <summary>Default of <see cref="MaxGroupAge"/>, in milliseconds.</summary>
    internal const int DefaultMaxGroupAgeMilliseconds = 10;

    /// <summary>
    /// WAL pages after which a commit copies them back into the database file (SQLite's default is 1,000). A copy
    /// reads and writes each page changed since the last one once, however often it changed, and small writes keep
    /// changing the same index and table-end pages: at 4,000 a create costs a third fewer page reads and copies
    /// (bench/RESULTS.md), for a WAL of up to ~16 MB.
    /// </summary>
    internal const int WalCheckpointPages = 4_000;

    private const string Savepoint = "fundament_write";

    private readonly string _connectionString;
    private readonly bool _fullSync;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly List<SqliteGroupMember> _committed = [];
    private readonly List<AppendedRows> _appended = [];
    private readonly WalSync? _walSync;
    private SqliteConnection _connection;
    private SqliteTransaction? _group;
    private long _firstCommitAt;
    private int _waiting;
    private bool _flushQueued;
    private Task? _syncing;
    private bool _disposed;
    private long _commits;

    private SqliteWriter(string connectionString, bool fullSync, SqliteConnection connection)
    {
        _connectionString = connectionString;
        _fullSync = fullSync;
        _connection = connection;
        _walSync = fullSync && InWal(connection) ? new WalSync(connection.DataSource + "-wal") : null;
    }

    /// <summary>How many group COMMITs succeeded; tests compare it with the number of transactions.</summary>
    internal long Commits => Interlocked.Read(ref _commits);

    /// <summary>Runs on the sync's thread just before each WAL sync; tests hold or fail a sync with it.</summary>
    internal Action? SyncHook { get; set; }

    /// <summary>
    /// Completes once every group a reader can see now is durable: at most one, whose WAL sync still runs. The
    /// writer shows a group as soon as its COMMIT wrote the WAL, a moment before that sync.
    /// </summary>
    internal Task WhenDurable() => Volatile.Read(ref _syncing) ?? Task.CompletedTask;

    /// <summary>True with full sync on a WAL: a COMMIT is visible before the WAL sync that makes it durable.</summary>
    internal bool SyncsBesideWriter => _walSync is not null;

    /// <summary>Most transactions in one group, so one slow fsync delays a bounded number of callers.</summary>
    internal int MaxGroupSize { get; set; } = DefaultMaxGroupSize;

    /// <summary>Longest a group stays open once its first member committed, bounding that member's wait.</summary>
    internal TimeSpan MaxGroupAge { get; set; } = TimeSpan.FromMilliseconds(DefaultMaxGroupAgeMilliseconds);

    /// <summary>Opens the writer connection and switches the file to WAL.</summary>
    public static SqliteWriter Open(string connectionString, bool fullSync) =>
        new(connectionString, fullSync, OpenConnection(connectionString, fullSync));

    private static SqliteConnection OpenConnection(string connectionString, bool fullSync)
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        using (var pragma = connection.CreateCommand())
        {
            // busy_timeout first so that the journal_mode change itself waits for other processes.
            // temp_store: the savepoint journal of a large write (a prune batch, a big batch request) stays in memory
            // instead of spilling to a temporary file it writes and throws away.
            pragma.CommandText = $"PRAGMA busy_timeout = 30000; PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = {WalCheckpointPages}; PRAGMA temp_store = MEMORY;";
            pragma.ExecuteNonQuery();
            // With full sync on a WAL the writer syncs the WAL itself (WalSync); where the file system refused WAL, SQLite does.
            pragma.CommandText = $"PRAGMA synchronous = {(fullSync && !InWal(connection) ? "FULL" : "NORMAL")}";
            pragma.ExecuteNonQuery();
        }

        SqliteStatementCache.Attach(connection);
        return connection;
    }

    private static bool InWal(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        return command.ExecuteScalar() is string mode && mode.Equals("wal", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Waits for the writer and starts a transaction: a savepoint in the open group, or — for a schema
    /// change — a transaction of its own, after the open group is committed.
    /// </summary>
    public async Task<WriteTransaction> BeginAsync(Database database, bool schemaChange, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            await _lock.WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return schemaChange ? await BeginAloneAsync(database) : BeginMember(database);
        }
        catch
        {
            EndTurn(null);
            throw;
        }
    }

    private WriteTransaction BeginMember(Database database)
    {
        if (_group is not null && raw.sqlite3_get_autocommit(_connection.Handle) != 0)
        {
            // SQLite rolled the group back on its own (an I/O error, a full disk) without the member
            // that hit it reporting back; those released before it were not acknowledged and learn now.
            AbandonGroup(GroupLost());
        }

        _group ??= _connection.BeginTransaction();
        Execute("SAVEPOINT " + Savepoint);
        var member = new SqliteGroupMember(this);
        return new WriteTransaction(database, _connection, _group, member.ReleaseWriterAsync, member.CommitAsync, member.RollbackAsync);
    }

    private async Task<WriteTransaction> BeginAloneAsync(Database database)
    {
        // Table rebuilds must not fire ON DELETE actions of other tables, and this pragma is a no-op
        // inside a transaction, so a schema change never joins a group; it is switched back on when
        // the transaction ends.
        await CommitGroupDurablyAsync();
        SqliteStatementCache.Attach(_connection).Clear();
        SetAlone(true);
        SqliteTransaction transaction;
        try
        {
            transaction = _connection.BeginTransaction();
        }
        catch
        {
            SetAlone(false);
            throw;
        }

        return new WriteTransaction(database, _connection, transaction, () =>
        {
            try
            {
                SetAlone(false);
            }
            finally
            {
                _lock.Release();
            }

            return ValueTask.CompletedTask;
        });
    }

    // A transaction of its own has no group to be synced with, so its COMMIT syncs the WAL itself.
    private void SetAlone(bool alone)
    {
        Execute(alone ? "PRAGMA foreign_keys = OFF" : "PRAGMA foreign_keys = ON");
        if (_walSync is not null)
        {
            Execute(alone ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
        }
    }

    /// <summary>
    /// Ends the holder's turn: adds a member that committed to the group, commits the group if nobody
    /// waits (or it is full or old), else queues a flush behind the waiters; then hands the writer on.
    /// </summary>
    internal void EndTurn(SqliteGroupMember? committed)
    {
        if (committed is not null)
        {
            if (_committed.Count == 0)
            {
                _firstCommitAt = Stopwatch.GetTimestamp();
            }

            _committed.Add(committed);
            if (committed.Appended is { } rows)
            {
                AppendedRows.AddAll(_appended, rows);
            }
        }

        if (_group is not null && _syncing is { } running)
        {
            if (_committed.Count >= MaxGroupSize)
            {
                // Full while the disk is busy: the writer stays taken, so the group stops growing, until the sync ends.
                _ = CommitAfterSyncAsync(running, holdsWriter: true);
                return;
            }
        }
        else if (_group is not null)
        {
            if (Volatile.Read(ref _waiting) == 0 || _committed.Count >= MaxGroupSize
                || (_committed.Count > 0 && Stopwatch.GetElapsedTime(_firstCommitAt) >= MaxGroupAge))
            {
                CommitGroup();
            }
            else if (!_flushQueued)
            {
                _flushQueued = true;
                _ = FlushAsync();
            }
        }

        _lock.Release();
    }

    private async Task FlushAsync()
    {
        // Not cancellable: callers wait on this commit. SemaphoreSlim serves async waiters in order, which
        // puts it behind every writer already waiting; were it served earlier, groups would only be smaller.
        await _lock.WaitAsync(CancellationToken.None);
        try
        {
            _flushQueued = false;
            if (!_disposed)
            {
                CommitGroup();
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    // Savepoint statements run once or twice per write: they come prepared from the connection's statement cache.
    private void Execute(string sql)
    {
        using var command = SqliteStatementCache.CreateCommand(_connection, sql);
        command.Transaction = _group;
        command.ExecuteNonQuery();
    }

    /// <summary>Commits the open group, then closes the connection; later writes throw <see cref="ObjectDisposedException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        await _lock.WaitAsync(CancellationToken.None);
        try
        {
            if (!_disposed)
            {
                await CommitGroupDurablyAsync();
                _disposed = true;
                _walSync?.Dispose();
                await _connection.DisposeAsync();
            }
        }
        finally
        {
            _lock.Release();
        }
    }
}
