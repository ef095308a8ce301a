using Fundament.Data;
using Fundament.Data.Sqlite;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Fundament.Tests.Data;

/// <summary>The writer keeps its statements compiled: one prepared statement per SQL text, however often it runs.</summary>
public sealed class SqliteStatementCacheTests : IDisposable
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    public SqliteStatementCacheTests()
    {
        _connection.Open();
        _connection.Handle!.enable_sqlite3_next_stmt(true);
        using var create = _connection.CreateCommand();
        create.CommandText = "CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT)";
        create.ExecuteNonQuery();
    }

    public void Dispose() => _connection.Dispose();

    [Fact]
    public void The_same_text_runs_on_one_prepared_statement_with_each_use_binding_its_own_parameters()
    {
        var cache = SqliteStatementCache.Attach(_connection);
        for (int i = 1; i <= 200; i++)
        {
            var sql = new SqlBuilder(SqliteDialect.Instance).Append("INSERT INTO t (id, note) VALUES (")
                .Parameter(SqlType.Integer, (long)i).Append(", ").Parameter(SqlType.Text, "note " + i).Append(')');
            using var command = sql.CreateCommand(_connection);
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        Assert.Equal(1, cache.Prepared);
        Assert.Equal(1, StatementsOn(_connection));
        Assert.Equal(200L, Scalar("SELECT COUNT(*) FROM t"));
        Assert.Equal("note 137", Scalar("SELECT note FROM t WHERE id = 137"));
    }

    [Fact]
    public void A_text_still_in_use_gets_a_command_of_its_own_and_both_read_correctly()
    {
        SqliteStatementCache.Attach(_connection);
        Insert(1, "one");
        Insert(2, "two");
        using var outer = SqliteStatementCache.CreateCommand(_connection, "SELECT note FROM t ORDER BY id");
        using var outerReader = outer.ExecuteReader();
        Assert.True(outerReader.Read());
        using (var inner = SqliteStatementCache.CreateCommand(_connection, "SELECT note FROM t ORDER BY id"))
        {
            Assert.NotSame(outer, inner);
            using var innerReader = inner.ExecuteReader();
            Assert.True(innerReader.Read());
            Assert.Equal("one", innerReader.GetString(0));
        }

        Assert.Equal("one", outerReader.GetString(0));
        Assert.True(outerReader.Read());
        Assert.Equal("two", outerReader.GetString(0));
    }

    [Fact]
    public void Clearing_and_overflowing_finalize_idle_statements_and_leave_a_working_cache()
    {
        var cache = SqliteStatementCache.Attach(_connection);
        for (int i = 0; i < SqliteStatementCache.Capacity; i++)
        {
            Assert.Equal((long)i, Scalar($"SELECT {i}"));
        }

        Assert.Equal(SqliteStatementCache.Capacity, StatementsOn(_connection));
        // One more text than the cache holds: the idle ones go, the new one stays.
        Assert.Equal(-1L, Scalar("SELECT -1"));
        Assert.Equal(1, StatementsOn(_connection));

        cache.Clear();
        Assert.Equal(0, StatementsOn(_connection));
        Insert(5, "after clear");
        Assert.Equal("after clear", Scalar("SELECT note FROM t WHERE id = 5"));
    }

    [Fact]
    public void A_connection_without_a_cache_gets_plain_commands()
    {
        using var first = SqliteStatementCache.CreateCommand(_connection, "SELECT 1");
        Assert.Equal(1L, first.ExecuteScalar());
        first.Dispose();
        using var second = SqliteStatementCache.CreateCommand(_connection, "SELECT 1");
        Assert.NotSame(first, second);
        Assert.Equal(0, StatementsOn(_connection));
    }

    [Fact]
    public async Task Group_commit_savepoints_and_schema_changes_run_on_the_cached_statements()
    {
        await using var group = await GroupCommitDatabase.CreateAsync();
        for (int i = 1; i <= 50; i++)
        {
            await GroupCommitDatabase.InsertAsync(group.BeginAsync(), i);
        }

        await using (var failing = await group.BeginAsync())
        {
            await failing.ExecuteRawAsync("INSERT INTO t (id) VALUES (1000)", CancellationToken.None);
            // Disposed without commit: the savepoint is rolled back through the cached ROLLBACK TO.
        }

        await using (var alter = await group.BeginAsync(schemaChange: true))
        {
            await alter.ExecuteRawAsync("ALTER TABLE t ADD COLUMN extra TEXT", CancellationToken.None);
            await alter.CommitAsync(CancellationToken.None);
        }

        await using (var tx = await group.BeginAsync())
        {
            await tx.ExecuteRawAsync("INSERT INTO t (id, extra) VALUES (51, 'x')", CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
        }

        Assert.Equal([.. Enumerable.Range(1, 51).Select(i => (long)i)], await group.CommittedIdsAsync());
    }

    private void Insert(long id, string note)
    {
        var sql = new SqlBuilder(SqliteDialect.Instance).Append("INSERT INTO t (id, note) VALUES (")
            .Parameter(SqlType.Integer, id).Append(", ").Parameter(SqlType.Text, note).Append(')');
        using var command = sql.CreateCommand(_connection);
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql)
    {
        using var command = SqliteStatementCache.CreateCommand(_connection, sql);
        return command.ExecuteScalar();
    }

    // Every statement SQLite holds compiled on the connection, cached or not yet finalized.
    private static int StatementsOn(SqliteConnection connection)
    {
        int count = 0;
        for (var statement = raw.sqlite3_next_stmt(connection.Handle, null); statement is not null && !statement.IsInvalid;
             statement = raw.sqlite3_next_stmt(connection.Handle, statement))
        {
            count++;
        }

        return count;
    }
}
