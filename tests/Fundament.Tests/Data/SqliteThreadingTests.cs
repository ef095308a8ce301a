using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Fundament.Data.Sqlite;
using Microsoft.Data.Sqlite;

namespace Fundament.Tests.Data;

/// <summary>SQLite runs in multi-thread mode: connections carry no mutex of their own, since each has one user at a time.</summary>
public sealed class SqliteThreadingTests
{
    /// <summary>
    /// Tests open SQLite connections of their own in any order; configuring SQLite is only possible before the first,
    /// so the test assembly lets <see cref="SqliteDatabase"/> do it first, as the server does.
    /// </summary>
    [ModuleInitializer]
    internal static void ConfigureSqliteFirst() => RuntimeHelpers.RunClassConstructor(typeof(SqliteDatabase).TypeHandle);

    [Fact]
    public async Task Connections_have_no_mutex_of_their_own()
    {
        string directory = Path.Combine(Path.GetTempPath(), "fundament-threading", Guid.NewGuid().ToString("N"));
        await using (var database = await SqliteDatabase.OpenAsync(Path.Combine(directory, "data.db"), fullSync: true, CancellationToken.None))
        {
            await using var connection = (SqliteConnection)await database.OpenReadAsync(CancellationToken.None);

            Assert.Equal(IntPtr.Zero, DbMutex(connection.Handle!.DangerousGetHandle()));
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    [DllImport("e_sqlite3", EntryPoint = "sqlite3_db_mutex")]
    private static extern IntPtr DbMutex(IntPtr db);
}
