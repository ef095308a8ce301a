using System.Data.Common;

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

    /// <summary>Opens a pooled connection for reading. Dispose it when done.</summary>
    public abstract ValueTask<DbConnection> OpenReadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Starts a write transaction. On SQLite this waits for the single writer; on PostgreSQL it opens a
    /// pooled connection. <paramref name="schemaChange"/> prepares the connection for DDL.
    /// </summary>
    public abstract Task<WriteTransaction> BeginWriteAsync(CancellationToken cancellationToken, bool schemaChange = false);

    /// <summary>Runs <c>SELECT 1</c>; false when the database cannot be reached.</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken)
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
