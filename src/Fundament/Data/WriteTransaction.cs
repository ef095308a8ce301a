using System.Data.Common;
using System.Diagnostics;

namespace Fundament.Data;

/// <summary>
/// One write transaction. Disposing without <see cref="CommitAsync"/> rolls back. Work that must
/// happen only after a successful commit (cache invalidation, in-process events) is queued with
/// <see cref="OnCommitted"/>; rows to write last, just before it, with <see cref="Append"/>.
/// </summary>
/// <remarks>
/// On SQLite consecutive write transactions are group-committed: each is a savepoint inside one
/// shared SQLite transaction, and <see cref="CommitAsync"/> returns only once the shared COMMIT has
/// made it durable. Callers see no difference, except that <see cref="Transaction"/> is that shared
/// transaction: never commit or roll it back directly, always go through this type.
/// </remarks>
public sealed class WriteTransaction : IAsyncDisposable
{
    private readonly Func<ValueTask> _release;
    private readonly Func<WriteTransaction, CancellationToken, Task>? _commit;
    private readonly Func<ValueTask>? _rollback;
    private List<Action>? _afterCommit;
    private List<AppendedRows>? _appended;
    private bool _completed;
    private DatabaseMetrics? _metrics;
    private Activity? _activity;
    private long _startedAt;

    internal WriteTransaction(Database database, DbConnection connection, DbTransaction transaction, Func<ValueTask> release)
    {
        Database = database;
        Connection = connection;
        Transaction = transaction;
        _release = release;
    }

    /// <summary>
    /// Creates a transaction that its owner ends: <paramref name="commit"/> must return only once the work is
    /// durable, must have written <see cref="Appended"/> with it and run <see cref="RunCommittedActions"/>;
    /// <paramref name="rollback"/> undoes this transaction's work without ending <paramref name="transaction"/>, which is shared.
    /// </summary>
    internal WriteTransaction(Database database, DbConnection connection, DbTransaction transaction, Func<ValueTask> release,
        Func<WriteTransaction, CancellationToken, Task> commit, Func<ValueTask> rollback)
        : this(database, connection, transaction, release)
    {
        _commit = commit;
        _rollback = rollback;
    }

    public Database Database { get; }

    public ISqlDialect Dialect => Database.Dialect;

    public DbConnection Connection { get; }

    public DbTransaction Transaction { get; }

    public DbCommand CreateCommand(SqlBuilder sql) => sql.CreateCommand(Connection, Transaction);

    public DbCommand CreateCommand(string rawSql)
    {
        var command = Dialect.CreateCommand(Connection, rawSql);
        command.Transaction = Transaction;
        return command;
    }

    public async Task<int> ExecuteAsync(SqlBuilder sql, CancellationToken cancellationToken)
    {
        await using var command = CreateCommand(sql);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task ExecuteRawAsync(string rawSql, CancellationToken cancellationToken)
    {
        await using var command = CreateCommand(rawSql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    internal void Track(DatabaseMetrics? metrics, Activity? activity)
    {
        _metrics = metrics;
        _activity = activity;
        _startedAt = Stopwatch.GetTimestamp();
    }

    /// <summary>
    /// Queues <paramref name="action"/> to run once the transaction is durably committed, before
    /// <see cref="CommitAsync"/> returns. Actions of successive transactions run in commit order.
    /// </summary>
    public void OnCommitted(Action action) => (_afterCommit ??= []).Add(action);

    /// <summary>
    /// Adds <paramref name="row"/> to <paramref name="table"/> as part of this transaction's last write, just before
    /// the commit (on SQLite, with the other transactions of its commit group); if that write fails, nothing commits.
    /// Returns true for the transaction's first row in <paramref name="table"/>.
    /// </summary>
    public bool Append<TRow>(AppendTable<TRow> table, TRow row)
    {
        _appended ??= [];
        if (AppendedRows.Of(_appended, table) is AppendedRows<TRow> rows)
        {
            rows.Add(row);
            return false;
        }

        _appended.Add(new AppendedRows<TRow>(table, row));
        return true;
    }

    /// <summary>The rows appended so far; the owner of a shared transaction writes them with its group.</summary>
    internal List<AppendedRows>? Appended => _appended;

    /// <summary>
    /// Commits, returning only once the work is durable. On SQLite, once this call has handed the work
    /// to the group commit, <paramref name="cancellationToken"/> is no longer observed: the outcome is
    /// the group's, and a caller is never told a write failed when it was committed.
    /// </summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (_commit is not null)
        {
            await _commit(this, cancellationToken);
            _completed = true;
            return;
        }

        if (_appended is not null)
        {
            foreach (var rows in _appended)
            {
                foreach (var insert in rows.Inserts(Dialect))
                {
                    await ExecuteAsync(insert, cancellationToken);
                }
            }
        }

        await Transaction.CommitAsync(cancellationToken);
        _completed = true;
        RunCommittedActions();
    }

    /// <summary>Runs the <see cref="OnCommitted"/> actions; the owner calls this after the durable commit.</summary>
    internal void RunCommittedActions()
    {
        if (_afterCommit is not null)
        {
            foreach (var action in _afterCommit)
            {
                action();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_rollback is not null)
            {
                if (!_completed)
                {
                    await _rollback();
                }
            }
            else
            {
                await RollBackOwnTransactionAsync();
            }
        }
        finally
        {
            try
            {
                await _release();
            }
            finally
            {
                _metrics?.WriteEnded(_startedAt, _completed);
                if (_activity is not null)
                {
                    _activity.SetTag("fundament.db.outcome", _completed ? "commit" : "rollback");
                    _activity.Dispose();
                }
            }
        }
    }

    private async ValueTask RollBackOwnTransactionAsync()
    {
        if (!_completed)
        {
            try
            {
                await Transaction.RollbackAsync();
            }
            catch (Exception ex) when (ex is DbException or InvalidOperationException)
            {
                // The connection is already broken; the database rolls back on its own.
            }
        }

        await Transaction.DisposeAsync();
    }
}
