using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Fundament.Data.Sqlite;

/// <summary>
/// SQLite with one writer and pooled readers on the same WAL file. SQLite allows one writer at a
/// time anyway; queueing writers on a semaphore in-process is cheaper than letting them spin on
/// SQLITE_BUSY. Busy waits that remain (another process, such as the CLI, holding the lock) are
/// retried by Microsoft.Data.Sqlite until the command timeout.
/// </summary>
public sealed class SqliteDatabase : Database
{
    private readonly string _readConnectionString;
    private readonly SqliteConnection _writer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    private SqliteDatabase(string path, string readConnectionString, SqliteConnection writer)
    {
        Path = path;
        _readConnectionString = readConnectionString;
        _writer = writer;
    }

    public string Path { get; }

    public override ISqlDialect Dialect => SqliteDialect.Instance;

    public override string Description => "sqlite:" + Path;

    /// <summary>Opens (creating if needed) the database file and configures the writer connection.</summary>
    public static async Task<SqliteDatabase> OpenAsync(string path, bool fullSync, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = 30,
        };
        var writer = new SqliteConnection(builder.ConnectionString);
        await writer.OpenAsync(cancellationToken);
        await using (var pragma = writer.CreateCommand())
        {
            // busy_timeout first so that the journal_mode change itself waits for other processes.
            pragma.CommandText = $"PRAGMA busy_timeout = 30000; PRAGMA journal_mode = WAL; PRAGMA synchronous = {(fullSync ? "FULL" : "NORMAL")};";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }

        builder.Mode = SqliteOpenMode.ReadWrite;
        return new SqliteDatabase(path, builder.ConnectionString, writer);
    }

    protected override async ValueTask<DbConnection> OpenReadCoreAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_readConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    protected override async Task<WriteTransaction> BeginWriteCoreAsync(CancellationToken cancellationToken, bool schemaChange)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            if (schemaChange)
            {
                // Table rebuilds must not fire ON DELETE actions of other tables, and this pragma is a
                // no-op inside a transaction; it is switched back on when the transaction ends.
                await ExecutePragmaAsync("PRAGMA foreign_keys = OFF", cancellationToken);
            }

            var transaction = (DbTransaction)await _writer.BeginTransactionAsync(cancellationToken);
            return new WriteTransaction(this, _writer, transaction, async () =>
            {
                try
                {
                    if (schemaChange)
                    {
                        await ExecutePragmaAsync("PRAGMA foreign_keys = ON", CancellationToken.None);
                    }
                }
                finally
                {
                    _writeLock.Release();
                }
            });
        }
        catch
        {
            if (schemaChange)
            {
                await ExecutePragmaAsync("PRAGMA foreign_keys = ON", CancellationToken.None);
            }

            _writeLock.Release();
            throw;
        }
    }

    /// <summary>
    /// Also checks that the file is still where it was opened: a deleted or moved file keeps answering through
    /// open handles, but every write from then on is lost when the process ends.
    /// </summary>
    public override async Task<bool> PingAsync(CancellationToken cancellationToken) =>
        await base.PingAsync(cancellationToken) && (Path == ":memory:" || File.Exists(Path));

    private async Task ExecutePragmaAsync(string pragma, CancellationToken cancellationToken)
    {
        await using var command = _writer.CreateCommand();
        command.CommandText = pragma;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public override async ValueTask DisposeAsync()
    {
        await _writeLock.WaitAsync();
        try
        {
            await _writer.DisposeAsync();
            SqliteConnection.ClearAllPools();
        }
        finally
        {
            _writeLock.Release();
            _writeLock.Dispose();
        }
    }
}
