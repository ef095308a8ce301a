using Fundament.Data;
using Microsoft.Data.Sqlite;
using static Fundament.Tests.Data.GroupCommitDatabase;

namespace Fundament.Tests.Data;

/// <summary>
/// Rows appended as a transaction's last write (<see cref="WriteTransaction.Append"/>): they commit or roll back with
/// it, and on SQLite a commit group writes the rows of all its members together, in commit order.
/// </summary>
public sealed class AppendTableTests
{
    private const string LogSchema = "; CREATE TABLE log (seq INTEGER PRIMARY KEY AUTOINCREMENT, note TEXT NOT NULL CHECK (note <> 'refused'))";
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_commit_group_writes_its_members_rows_together_in_commit_order()
    {
        await using var db = await CreateAsync(LogSchema);
        var log = new NoteLog();
        long before = db.Writer.Commits;

        var first = await db.BeginAsync();
        var members = new List<Task>
        {
            AppendAsync(db.BeginAsync(), log, ["a1"]),
            AppendAndAbandonAsync(db.BeginAsync(), log, "rolled back"),
            AppendAsync(db.BeginAsync(), log, ["b1", "b2"]),
        };
        members.AddRange(Enumerable.Range(1, 9).Select(i => AppendAsync(db.BeginAsync(), log, [$"c{i}"])));
        Assert.True(first.Append(log, "first"));
        Assert.False(first.Append(log, "first again"));
        var firstCommit = first.CommitAsync(None);
        await Task.WhenAll([firstCommit, .. members]);
        await first.DisposeAsync();

        Assert.Equal(1, db.Writer.Commits - before);
        string[] expected = ["first", "first again", "a1", "b1", "b2", .. Enumerable.Range(1, 9).Select(i => $"c{i}")];
        Assert.Equal(expected, await NotesAsync(db));
        // Fourteen rows: one INSERT of eight, one of four, one of two.
        Assert.Equal([8, 4, 2], log.Sizes);
    }

    [Fact]
    public async Task A_failing_append_fails_every_member_of_the_group_and_commits_nothing()
    {
        await using var db = await CreateAsync(LogSchema);
        var log = new NoteLog();

        var first = await db.BeginAsync();
        var good = InsertAndAppendAsync(db.BeginAsync(), log, 1, "fine");
        var bad = InsertAndAppendAsync(db.BeginAsync(), log, 2, "refused");
        await first.ExecuteRawAsync("INSERT INTO t (id) VALUES (0)", None);
        first.Append(log, "first");
        var firstCommit = first.CommitAsync(None);

        await Assert.ThrowsAsync<SqliteException>(() => firstCommit);
        await Assert.ThrowsAsync<SqliteException>(() => good);
        await Assert.ThrowsAsync<SqliteException>(() => bad);
        await first.DisposeAsync();
        Assert.Empty(await db.CommittedIdsAsync());
        Assert.Empty(await NotesAsync(db));

        // The writer goes on with the next group.
        await AppendAsync(db.BeginAsync(), log, ["after"]);
        Assert.Equal(["after"], await NotesAsync(db));
    }

    [Fact]
    public async Task A_transaction_of_its_own_writes_its_rows_before_it_commits_in_inserts_of_at_most_256()
    {
        await using var db = await CreateAsync(LogSchema);
        var log = new NoteLog();
        string[] notes = [.. Enumerable.Range(0, 300).Select(i => $"n{i}")];

        await AppendAsync(db.BeginAsync(schemaChange: true), log, notes);

        Assert.Equal(notes, await NotesAsync(db));
        Assert.Equal([256, 32, 8, 4], log.Sizes);
    }

    [Fact]
    public async Task A_failing_append_in_a_transaction_of_its_own_commits_nothing()
    {
        // The path every PostgreSQL transaction takes: the rows go in just before its own COMMIT.
        await using var db = await CreateAsync(LogSchema);
        var log = new NoteLog();

        await Assert.ThrowsAsync<SqliteException>(() => InsertAndAppendAsync(db.BeginAsync(schemaChange: true), log, 1, "refused"));

        Assert.Empty(await db.CommittedIdsAsync());
        Assert.Empty(await NotesAsync(db));
        await AppendAsync(db.BeginAsync(), log, ["after"]);
        Assert.Equal(["after"], await NotesAsync(db));
    }

    [Fact]
    public async Task Rows_appended_to_a_transaction_that_rolls_back_are_never_written()
    {
        await using var db = await CreateAsync(LogSchema);
        var log = new NoteLog();

        await AppendAndAbandonAsync(db.BeginAsync(), log, "gone");
        await AppendAndAbandonAsync(db.BeginAsync(schemaChange: true), log, "gone too");

        Assert.Empty(await NotesAsync(db));
        Assert.Empty(log.Sizes);
    }

    private static async Task AppendAsync(Task<WriteTransaction> begin, NoteLog log, string[] notes)
    {
        await using var tx = await begin;
        foreach (string note in notes)
        {
            tx.Append(log, note);
        }

        await tx.CommitAsync(None);
    }

    private static async Task AppendAndAbandonAsync(Task<WriteTransaction> begin, NoteLog log, string note)
    {
        await using var tx = await begin;
        tx.Append(log, note);
    }

    private static async Task InsertAndAppendAsync(Task<WriteTransaction> begin, NoteLog log, long id, string note)
    {
        await using var tx = await begin;
        await tx.ExecuteRawAsync($"INSERT INTO t (id) VALUES ({id})", None);
        tx.Append(log, note);
        await tx.CommitAsync(None);
    }

    private static async Task<List<string>> NotesAsync(GroupCommitDatabase db)
    {
        await using var connection = await db.Database.OpenReadAsync(None);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT note FROM log ORDER BY seq";
        await using var reader = await command.ExecuteReaderAsync();
        var notes = new List<string>();
        while (await reader.ReadAsync())
        {
            notes.Add(reader.GetString(0));
        }

        return notes;
    }

    /// <summary>Notes into <c>log</c>, remembering how many rows each INSERT took.</summary>
    private sealed class NoteLog : AppendTable<string>
    {
        public List<int> Sizes { get; } = [];

        protected internal override SqlBuilder Insert(ISqlDialect dialect, ReadOnlySpan<string> rows)
        {
            Sizes.Add(rows.Length);
            var sql = new SqlBuilder(dialect).Append("INSERT INTO log (note) VALUES ");
            for (int i = 0; i < rows.Length; i++)
            {
                sql.Append(i == 0 ? "(" : ", (").Parameter(SqlType.Text, rows[i]).Append(')');
            }

            return sql;
        }
    }
}
