using Fundament.Data;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using static Fundament.Tests.Data.GroupCommitDatabase;

namespace Fundament.Tests.Data;

/// <summary>
/// When a group commit goes wrong every member hears it, nobody hears "committed" for a write that
/// was lost, nobody hears "failed" for a write that was committed, and the writer keeps working.
/// </summary>
public sealed class SqliteGroupCommitFailureTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_failed_COMMIT_reaches_every_member_and_keeps_none_of_their_writes()
    {
        // A deferred foreign key is checked only at COMMIT — one way to make the group's COMMIT fail.
        await using var db = await CreateAsync(
            "; CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)");

        var first = await db.BeginAsync();
        var before = InsertAsync(db.BeginAsync(), 1);
        var orphan = InsertOrphanAsync(db.BeginAsync());
        var after = InsertAsync(db.BeginAsync(), 3);
        var firstCommit = first.CommitAsync(None);

        foreach (var member in new[] { firstCommit, before, orphan, after })
        {
            var error = await Assert.ThrowsAsync<SqliteException>(() => member);
            Assert.Equal(raw.SQLITE_CONSTRAINT, error.SqliteErrorCode);
        }

        await first.DisposeAsync();
        Assert.Empty(await db.CommittedIdsAsync());
        // Nothing became visible, so no read is left waiting for a sync that will never run.
        Assert.True(db.Database.WhenReadsDurable().IsCompleted);
        await InsertAsync(db.BeginAsync(), 4);
        Assert.Equal([4L], await db.CommittedIdsAsync());

        static async Task InsertOrphanAsync(Task<WriteTransaction> begin)
        {
            await using var tx = await begin;
            await tx.ExecuteRawAsync("INSERT INTO t (id) VALUES (2); INSERT INTO child (id, parent_id) VALUES (1, 99)", None);
            await tx.CommitAsync(None);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_group_SQLite_rolls_back_on_its_own_fails_its_unacknowledged_members(bool commitAfterwards)
    {
        await using var db = await CreateAsync();

        var first = await db.BeginAsync();
        var earlier = InsertAsync(db.BeginAsync(), 1);
        var failing = LoseTheGroupAsync(db.BeginAsync(), commitAfterwards);
        var later = InsertAsync(db.BeginAsync(), 3);
        var firstCommit = first.CommitAsync(None);

        // SQLite ends the whole transaction on some errors (a full disk, an I/O error); an explicit
        // ROLLBACK has the same effect and fires the same rollback hook.
        Assert.Equal(raw.SQLITE_ABORT, (await Assert.ThrowsAsync<SqliteException>(() => firstCommit)).SqliteErrorCode);
        Assert.Equal(raw.SQLITE_ABORT, (await Assert.ThrowsAsync<SqliteException>(() => earlier)).SqliteErrorCode);
        if (commitAfterwards)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        }
        else
        {
            await failing;
        }

        await later;
        await first.DisposeAsync();
        Assert.Equal([3L], await db.CommittedIdsAsync());

        static async Task LoseTheGroupAsync(Task<WriteTransaction> begin, bool commit)
        {
            await using var tx = await begin;
            await tx.ExecuteRawAsync("INSERT INTO t (id) VALUES (2); ROLLBACK", None);
            if (commit)
            {
                await tx.CommitAsync(None);
            }
        }
    }

    [Fact]
    public async Task The_writer_recovers_when_its_transaction_ends_behind_its_back()
    {
        await using var db = await CreateAsync();

        var first = await db.BeginAsync();
        var rogue = RogueCommitAsync(db.BeginAsync());
        var later = InsertAsync(db.BeginAsync(), 2);
        var firstCommit = first.CommitAsync(None);

        // The member's savepoint is gone with the transaction, so it cannot be told "committed"; the
        // writer's connection believed a transaction was still open and is replaced.
        await Assert.ThrowsAsync<SqliteException>(() => rogue);
        await Assert.ThrowsAsync<SqliteException>(() => firstCommit);
        await later;
        await first.DisposeAsync();
        await InsertAsync(db.BeginAsync(), 3);
        Assert.Equal([1L, 2L, 3L], await db.CommittedIdsAsync());

        static async Task RogueCommitAsync(Task<WriteTransaction> begin)
        {
            await using var tx = await begin;
            await tx.ExecuteRawAsync("INSERT INTO t (id) VALUES (1); COMMIT", None);
            await tx.CommitAsync(None);
        }
    }

    [Fact]
    public async Task Cancellation_after_the_hand_off_does_not_report_a_committed_write_as_failed()
    {
        await using var db = await CreateAsync();
        using var late = new CancellationTokenSource();

        var first = await db.BeginAsync();
        var cancelledLate = InsertAsync(db.BeginAsync(), 1, late.Token);
        var nextBegin = db.BeginAsync();
        var cancelledEarly = CancelBeforeCommitAsync(db.BeginAsync());
        var firstCommit = first.CommitAsync(None);

        await using (var next = await nextBegin)
        {
            // The first member has handed its savepoint to the group; cancelling now changes nothing.
            await late.CancelAsync();
            await next.ExecuteRawAsync("INSERT INTO t (id) VALUES (2)", None);
            await next.CommitAsync(None);
        }

        await Task.WhenAll(firstCommit, cancelledLate);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelledEarly);
        await first.DisposeAsync();
        Assert.Equal([1L, 2L], await db.CommittedIdsAsync());

        static async Task CancelBeforeCommitAsync(Task<WriteTransaction> begin)
        {
            using var early = new CancellationTokenSource();
            await using var tx = await begin;
            await tx.ExecuteRawAsync("INSERT INTO t (id) VALUES (3)", None);
            await early.CancelAsync();
            await tx.CommitAsync(early.Token);
        }
    }

    [Fact]
    public async Task Disposing_the_database_commits_the_open_group()
    {
        await using var db = await CreateAsync();

        var first = await db.BeginAsync();
        var member = InsertAsync(db.BeginAsync(), 1);
        var disposing = db.Database.DisposeAsync().AsTask();
        var tooLate = InsertAsync(db.BeginAsync(), 2);
        var firstCommit = first.CommitAsync(None);

        // The member hands the writer to the shutdown, which commits the group before closing.
        await Task.WhenAll(firstCommit, member, disposing);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => tooLate);
        await first.DisposeAsync();
        await db.ReopenAsync();
        Assert.Equal([1L], await db.CommittedIdsAsync());
    }
}
