using System.Data.Common;
using System.Diagnostics;
using Fundament.Toolkit;

namespace Fundament.Data;

/// <summary>
/// The data store: pooled connections for reads and a transaction for each write. SQLite and
/// PostgreSQL differ only in how they hand out connections; see the two subclasses.
/// </summary>
public abstract class Database : IAsyncDisposable
{
    public abstract ISqlDialect Dialect { get; }

    /// <summary>A short description for logs and health output; never contains credentials.</summary>
    public abstract string Description { get; }

    /// <summary>Connection and transaction timings; set by <see cref="DataServices"/> for a server, null for one-off tools.</summary>
    internal DatabaseMetrics? Metrics { get; set; }

    /// <summary>Opens a pooled connection for reading. Dispose it when done.</summary>
    public async ValueTask<DbConnection> OpenReadAsync(CancellationToken cancellationToken)
    {
        if (Metrics is not { } metrics)
        {
            return await OpenReadCoreAsync(cancellationToken);
        }

        long requested = Stopwatch.GetTimestamp();
        var connection = await OpenReadCoreAsync(cancellationToken);
        metrics.ReadOpened(connection, requested);
        return connection;
    }

    /// <summary>
    /// Starts a write transaction. On SQLite this waits for the single writer; on PostgreSQL it opens a
    /// pooled connection. <paramref name="schemaChange"/> prepares the connection for DDL.
    /// </summary>
    public async Task<WriteTransaction> BeginWriteAsync(CancellationToken cancellationToken, bool schemaChange = false)
    {
        long requested = Stopwatch.GetTimestamp();
        // The span starts before the wait so that a trace shows time queued for the writer.
        var activity = Tracing.Source.StartActivity("db transaction", ActivityKind.Client);
        try
        {
            var transaction = await BeginWriteCoreAsync(cancellationToken, schemaChange);
            if (activity is not null)
            {
                activity.SetTag("db.system.name", Dialect.Provider == DatabaseProvider.Sqlite ? "sqlite" : "postgresql");
                activity.SetTag("fundament.db.wait_ms", Stopwatch.GetElapsedTime(requested).TotalMilliseconds);
            }

            Metrics?.WriteStarted(requested);
            transaction.Track(Metrics, activity);
            return transaction;
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            activity?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Completes once every write a read can see now is durable. Call it after reading and before anything read
    /// leaves the process, so nobody learns of a write a power cut could still undo. PostgreSQL shows a commit only
    /// once it is flushed; SQLite's writer shows a group from its COMMIT, a moment before the WAL sync.
    /// </summary>
    public virtual Task WhenReadsDurable() => Task.CompletedTask;

    /// <summary>False when <see cref="WhenReadsDurable"/> never waits, so nothing needs to ask it.</summary>
    public virtual bool ShowsWritesBeforeDurable => false;

    protected abstract ValueTask<DbConnection> OpenReadCoreAsync(CancellationToken cancellationToken);

    protected abstract Task<WriteTransaction> BeginWriteCoreAsync(CancellationToken cancellationToken, bool schemaChange);

    /// <summary>Runs <c>SELECT 1</c>; false when the database cannot be reached.</summary>
    public virtual async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenReadAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or TimeoutException or IOException)
        {
            return false;
        }
    }

    public abstract ValueTask DisposeAsync();
}
