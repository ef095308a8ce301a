using Fundament.Data.Sqlite;
using Microsoft.Data.Sqlite;
using static Fundament.Tests.Data.GroupCommitDatabase;

namespace Fundament.Tests.Data;

/// <summary>
/// Group commit on SQLite: writers that queue behind one another share one durable COMMIT, each in its
/// own savepoint, and nobody hears "committed" before that COMMIT.
/// </summary>
public sealed class SqliteGroupCommitTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Writers_waiting_for_the_writer_share_one_commit()
    {
        await using var db = await CreateAsync();
        long before = db.Writer.Commits;

        var first = await db.BeginAsync();
        var queued = Enumerable.Range(1, 20).Select(i => InsertAsync(db.BeginAsync(), i)).ToList();
        await first.ExecuteRawAsync("INSERT INTO t (id) VALUES (0)", None);
        var firstCommit = first.CommitAsync(None);
        await Task.WhenAll([firstCommit, .. queued]);
        await first.DisposeAsync();

        Assert.Equal(1, db.Writer.Commits - before);
        Assert.Equal(Enumerable.Range(0, 21).Select(i => (long)i), await db.CommittedIdsAsync());
    }

    [Fact]
    public async Task A_lone_writer_commits_at_once()
    {
        await using var db = await CreateAsync();
        long before = db.Writer.Commits;

        await InsertAsync(db.BeginAsync(), 1);
        await InsertAsync(db.BeginAsync(), 2);

        Assert.Equal(2, db.Writer.Commits - before);
        Assert.Equal([1L, 2L], await db.CommittedIdsAsync());
    }

    [Fact]
    public async Task A_group_closes_at_its_size_cap()
    {
        await using var db = await CreateAsync();
        db.Writer.MaxGroupSize = 8;
        long before = db.Writer.Commits;

        var first = await db.BeginAsync();
        var queued = Enumerable.Range(1, 12).Select(i => InsertAsync(db.BeginAsync(), i)).ToList();
        var firstCommit = first.CommitAsync(None);
        await Task.WhenAll([firstCommit, .. queued]);
        await first.DisposeAsync();

        Assert.Equal(2, db.Writer.Commits - before);
        Assert.Equal(12, (await db.CommittedIdsAsync()).Count);
    }

    [Fact]
    public async Task A_failing_member_rolls_back_only_itself()
    {
        await using var db = await CreateAsync();
        long before = db.Writer.Commits;

        var first = await db.BeginAsync();
        var committed = InsertAsync(db.BeginAsync(), 1);
        var abandoned = AbandonAsync(db.BeginAsync());
        var recovered = RecoverFromDuplicateAsync(db.BeginAsync());
        var last = InsertAsync(db.BeginAsync(), 4);
        var firstCommit = first.CommitAsync(None);
        await Task.WhenAll(firstCommit, committed, abandoned, recovered, last);
        await first.DisposeAsync();

        Assert.Equal(1, db.Writer.Commits - before);
        Assert.Equal([1L, 3L, 4L], await db.CommittedIdsAsync());

        static async Task AbandonAsync(Task<Fundament.Data.WriteTransaction> begin)
        {
            await using var tx = await begin;
            await tx.ExecuteRawAsync("INSERT INTO t (id) VALUES (2)", None);
            // Disposed without a commit: a handler that returned an error half-way.
        }

        static async Task RecoverFromDuplicateAsync(Task<Fundament.Data.WriteTransaction> begin)
        {
            await using var tx = await begin;
            await tx.ExecuteRawAsync("INSERT INTO t (id) VALUES (3)", None);
            // A constraint error undoes only its statement; the member goes on and commits.
            await Assert.ThrowsAsync<SqliteException>(() => tx.ExecuteRawAsync("INSERT INTO t (id) VALUES (1)", None));
            await tx.CommitAsync(None);
        }
    }

    [Fact]
    public async Task Nothing_is_acknowledged_or_visible_to_readers_before_the_group_commits()
    {
        await using var db = await CreateAsync();

        var first = await db.BeginAsync();
        var early = InsertAsync(db.BeginAsync(), 1);
        var laterBegin = db.BeginAsync();
        var firstCommit = first.CommitAsync(None);

        await using (var later = await laterBegin)
        {
            // The early member has released its savepoint and handed the writer on, but the group is
            // still open: its caller waits, and readers (their own WAL snapshot) do not see its row.
            Assert.False(early.IsCompleted);
            Assert.False(firstCommit.IsCompleted);
            Assert.Empty(await db.CommittedIdsAsync());
            await using (var sees = later.CreateCommand("SELECT count(*) FROM t"))
            {
                Assert.Equal(1L, await sees.ExecuteScalarAsync());
            }

            await later.ExecuteRawAsync("INSERT INTO t (id) VALUES (2)", None);
            await later.CommitAsync(None);
        }

        await Task.WhenAll(early, firstCommit);
        await first.DisposeAsync();
        Assert.Equal([1L, 2L], await db.CommittedIdsAsync());
    }

    [Fact]
    public async Task OnCommitted_runs_after_the_durable_commit_in_commit_order()
    {
        await using var db = await CreateAsync();
        var seen = new List<(long Id, bool Visible)>();

        var first = await db.BeginAsync();
        var queued = Enumerable.Range(1, 5).Select(i => InsertWithActionAsync(db.BeginAsync(), i)).ToList();
        var firstCommit = first.CommitAsync(None);
        await Task.WhenAll([firstCommit, .. queued]);
        await first.DisposeAsync();

        Assert.Equal([1L, 2L, 3L, 4L, 5L], seen.Select(s => s.Id));
        Assert.All(seen, s => Assert.True(s.Visible, $"the action of {s.Id} ran before its row was committed"));

        async Task InsertWithActionAsync(Task<Fundament.Data.WriteTransaction> begin, long id)
        {
            await using var tx = await begin;
            await tx.ExecuteRawAsync($"INSERT INTO t (id) VALUES ({id})", None);
            tx.OnCommitted(() =>
            {
                bool visible = db.CommittedIdsAsync().GetAwaiter().GetResult().Contains(id);
                lock (seen)
                {
                    seen.Add((id, visible));
                }
            });
            await tx.CommitAsync(None);
        }
    }

    [Fact]
    public async Task A_throwing_OnCommitted_action_fails_only_its_own_caller()
    {
        await using var db = await CreateAsync();

        var first = await db.BeginAsync();
        var throwing = ThrowingAsync(db.BeginAsync());
        var plain = InsertAsync(db.BeginAsync(), 2);
        var firstCommit = first.CommitAsync(None);

        await Assert.ThrowsAsync<NotSupportedException>(() => throwing);
        await Task.WhenAll(firstCommit, plain);
        await first.DisposeAsync();
        Assert.Equal([1L, 2L], await db.CommittedIdsAsync());

        static async Task ThrowingAsync(Task<Fundament.Data.WriteTransaction> begin)
        {
            await using var tx = await begin;
            await tx.ExecuteRawAsync("INSERT INTO t (id) VALUES (1)", None);
            tx.OnCommitted(() => throw new NotSupportedException("a bug in an action"));
            await tx.CommitAsync(None);
        }
    }

    [Fact]
    public async Task The_writer_keeps_savepoint_journals_in_memory()
    {
        await using var db = await CreateAsync();
        await using var tx = await db.BeginAsync();
        await using var pragma = tx.CreateCommand("PRAGMA temp_store");

        // 2 is MEMORY: a large write's savepoint journal never spills into a temporary file.
        Assert.Equal(2L, await pragma.ExecuteScalarAsync(None));
    }

    [Fact]
    public async Task A_schema_change_commits_the_open_group_first_and_runs_alone()
    {
        await using var db = await CreateAsync();
        long before = db.Writer.Commits;

        var first = await db.BeginAsync();
        var member = InsertAsync(db.BeginAsync(), 1);
        var schemaBegin = db.BeginAsync(schemaChange: true);
        var after = InsertAsync(db.BeginAsync(), 2);
        var firstCommit = first.CommitAsync(None);

        await using (var schema = await schemaBegin)
        {
            // The group before it is durable already, and foreign keys are off (a no-op in a group).
            await Task.WhenAll(firstCommit, member);
            Assert.Equal([1L], await db.CommittedIdsAsync());
            await using (var pragma = schema.CreateCommand("PRAGMA foreign_keys"))
            {
                Assert.Equal(0L, await pragma.ExecuteScalarAsync());
            }

            await schema.ExecuteRawAsync("CREATE TABLE u (id INTEGER PRIMARY KEY)", None);
            await schema.CommitAsync(None);
        }

        await after;
        await first.DisposeAsync();
        // Two group commits — the group before the schema change and the one after; the schema change
        // committed its own transaction.
        Assert.Equal(2, db.Writer.Commits - before);
        await using var tx = await db.BeginAsync();
        await using var check = tx.CreateCommand("PRAGMA foreign_keys");
        Assert.Equal(1L, await check.ExecuteScalarAsync());
    }

    [Fact]
    public async Task The_wal_is_copied_back_into_the_database_and_stays_bounded()
    {
        await using var db = await CreateAsync();
        string note = new('x', 60 * 1024);
        const int Rows = 600;
        for (int id = 0; id < Rows; id++)
        {
            await using var tx = await db.BeginAsync();
            await using var insert = tx.CreateCommand("INSERT INTO t (id, note) VALUES ($id, $note)");
            insert.Parameters.Add(new SqliteParameter("$id", id));
            insert.Parameters.Add(new SqliteParameter("$note", note));
            await insert.ExecuteNonQueryAsync(None);
            await tx.CommitAsync(None);
        }

        // Some 36 MB went through a WAL that is reused after each copy: it never grows past the checkpoint
        // threshold plus the one commit that crossed it, and the database file holds the rows.
        const long FrameBytes = 4096 + 24;
        Assert.InRange(new FileInfo(db.FilePath + "-wal").Length, 0, (SqliteWriter.WalCheckpointPages + 100) * FrameBytes);
        Assert.True(new FileInfo(db.FilePath).Length >= (long)Rows * note.Length * 3 / 4, "the WAL was never copied back into the database file");
        Assert.Equal(Rows, (await db.CommittedIdsAsync()).Count);
    }
}
