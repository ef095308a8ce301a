using Fundament.Data;
using Fundament.Data.Sqlite;

namespace Fundament.Tests.Data;

/// <summary>
/// A fresh SQLite file with full sync and a table <c>t(id, note)</c>, for driving the group commit
/// directly. <see cref="Database.BeginWriteAsync"/> queues the caller on the writer before it returns,
/// so tests fix the order of writers just by the order of their calls — no sleeps.
/// </summary>
internal sealed class GroupCommitDatabase : IAsyncDisposable
{
    private readonly string _directory;
    private bool _disposed;

    private GroupCommitDatabase(string directory, SqliteDatabase database)
    {
        _directory = directory;
        Database = database;
    }

    public SqliteDatabase Database { get; private set; }

    public SqliteWriter Writer => Database.Writer;

    public string FilePath => Path.Combine(_directory, "data.db");

    public static async Task<GroupCommitDatabase> CreateAsync(string extraSchema = "")
    {
        string directory = Path.Combine(Path.GetTempPath(), "fundament-group", Guid.NewGuid().ToString("N"));
        var database = await SqliteDatabase.OpenAsync(Path.Combine(directory, "data.db"), fullSync: true, CancellationToken.None);
        // Generous, so that a slow shared machine never closes a group early and the counts stay exact.
        database.Writer.MaxGroupAge = TimeSpan.FromMinutes(1);
        await using (var tx = await database.BeginWriteAsync(CancellationToken.None, schemaChange: true))
        {
            await tx.ExecuteRawAsync("CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT)" + extraSchema, CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
        }

        return new GroupCommitDatabase(directory, database);
    }

    /// <summary>Waits for <paramref name="begin"/>, inserts <paramref name="id"/> and commits.</summary>
    public static async Task InsertAsync(Task<WriteTransaction> begin, long id, CancellationToken cancellationToken = default)
    {
        await using var tx = await begin;
        await tx.ExecuteRawAsync($"INSERT INTO t (id) VALUES ({id})", CancellationToken.None);
        await tx.CommitAsync(cancellationToken);
    }

    public Task<WriteTransaction> BeginAsync(bool schemaChange = false) => Database.BeginWriteAsync(CancellationToken.None, schemaChange);

    /// <summary>The ids a reader sees now (committed data only).</summary>
    public async Task<List<long>> CommittedIdsAsync()
    {
        await using var connection = await Database.OpenReadAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM t ORDER BY id";
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<long>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    /// <summary>Closes the database and opens the file again, as a restarted server would.</summary>
    public async Task ReopenAsync()
    {
        await Database.DisposeAsync();
        Database = await SqliteDatabase.OpenAsync(FilePath, fullSync: true, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            await Database.DisposeAsync();
            Directory.Delete(_directory, recursive: true);
        }
    }
}
