using Fundament.Data.Sqlite;
using Microsoft.Data.Sqlite;

namespace Fundament.Tests.Data;

/// <summary>
/// The writer enforces foreign keys; readers do not ask for them, since they never write and the option would make every
/// open from the pool run a PRAGMA.
/// </summary>
public sealed class SqliteConnectionsTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task The_writer_enforces_foreign_keys_and_readers_run_no_pragma_to_do_so()
    {
        string directory = Path.Combine(Path.GetTempPath(), "fundament-connections", Guid.NewGuid().ToString("N"));
        await using (var database = await SqliteDatabase.OpenAsync(Path.Combine(directory, "data.db"), fullSync: true, None))
        {
            await using (var tx = await database.BeginWriteAsync(None))
            {
                Assert.Equal(1L, await ForeignKeysAsync(tx.CreateCommand("PRAGMA foreign_keys")));
            }

            await using var reader = await database.OpenReadAsync(None);
            Assert.Null(new SqliteConnectionStringBuilder(reader.ConnectionString).ForeignKeys);
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    private static async Task<long> ForeignKeysAsync(System.Data.Common.DbCommand command)
    {
        await using (command)
        {
            return (long)(await command.ExecuteScalarAsync(None))!;
        }
    }
}
