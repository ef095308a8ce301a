using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Fundament.Data.Sqlite;

/// <summary>
/// SQLite with one writer and pooled readers on the same WAL file. SQLite allows one writer at a
/// time anyway; queueing writers in-process is cheaper than letting them spin on SQLITE_BUSY, and it
/// lets consecutive writes share one durable commit (<see cref="SqliteWriter"/>). Busy waits that
/// remain (another process, such as the CLI, holding the lock) are retried until the command timeout.
/// Readers never see a group's writes before its COMMIT: each reads its own WAL snapshot. They may see them before the
/// WAL sync that makes them durable, which is why what leaves the process waits for <see cref="WhenReadsDurable"/>.
/// </summary>
public sealed class SqliteDatabase : Database
{
    private readonly string _readConnectionString;
    private readonly SqliteWriter _writer;

    /// <summary>
    /// Every connection is used by one caller at a time — the writer under its lock, readers taken from the pool — so
    /// SQLite's serialized mode only made each call lock and unlock a mutex per connection (with its memory statistics,
    /// which nothing reads, about 2% of a create's CPU). Multi-thread mode drops both. SQLite takes this only before it
    /// initializes, on the first connection anywhere in the process; if something opened one earlier it refuses, and
    /// connections stay serialized: slower, never wrong.
    /// </summary>
    static SqliteDatabase()
    {
        // Microsoft.Data.Sqlite loads the native library in its connection type's static constructor.
        RuntimeHelpers.RunClassConstructor(typeof(SqliteConnection).TypeHandle);
        raw.sqlite3_config(raw.SQLITE_CONFIG_MULTITHREAD);
        raw.sqlite3_config(raw.SQLITE_CONFIG_MEMSTATUS, 0);
    }

    private SqliteDatabase(string path, string readConnectionString, SqliteWriter writer)
    {
        Path = path;
        _readConnectionString = readConnectionString;
        _writer = writer;
    }

    public string Path { get; }

    public override ISqlDialect Dialect => SqliteDialect.Instance;

    public override string Description => "sqlite:" + Path;

    /// <summary>The writer and its group commit, for tests and diagnostics.</summary>
    internal SqliteWriter Writer => _writer;

    /// <summary>Opens (creating if needed) the database file and configures the writer connection.</summary>
    public static Task<SqliteDatabase> OpenAsync(string path, bool fullSync, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
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
        var writer = SqliteWriter.Open(builder.ConnectionString, fullSync);
        builder.Mode = SqliteOpenMode.ReadWrite;
        // Readers never write, so foreign keys mean nothing to them, and with the option set Microsoft.Data.Sqlite runs
        // PRAGMA foreign_keys on every open, pooled or not: a statement prepared and run for each read request.
        builder.ForeignKeys = null;
        return Task.FromResult(new SqliteDatabase(path, builder.ConnectionString, writer));
    }

    protected override async ValueTask<DbConnection> OpenReadCoreAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_readConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    public override Task WhenReadsDurable() => _writer.WhenDurable();

    public override bool ShowsWritesBeforeDurable => _writer.SyncsBesideWriter;

    /// <summary>
    /// Waits for the writer. The transaction is a savepoint in a group that commits with one fsync;
    /// a schema change runs alone, after the open group is committed.
    /// </summary>
    protected override Task<WriteTransaction> BeginWriteCoreAsync(CancellationToken cancellationToken, bool schemaChange) =>
        _writer.BeginAsync(this, schemaChange, cancellationToken);

    /// <summary>
    /// Also checks that the file is still where it was opened: a deleted or moved file keeps answering through
    /// open handles, but every write from then on is lost when the process ends.
    /// </summary>
    public override async Task<bool> PingAsync(CancellationToken cancellationToken) =>
        await base.PingAsync(cancellationToken) && (Path == ":memory:" || File.Exists(Path));

    /// <summary>Commits the open group, so no committed-but-waiting write is lost, then closes every connection.</summary>
    public override async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        SqliteConnection.ClearAllPools();
    }
}
