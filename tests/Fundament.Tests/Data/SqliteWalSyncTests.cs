using Fundament.Tests.Testing;
using static Fundament.Tests.Data.GroupCommitDatabase;

namespace Fundament.Tests.Data;

/// <summary>
/// Full sync on SQLite: a group's COMMIT writes the WAL and the WAL is synced off the writer. Nobody is told
/// "committed", and no read leaves through <c>WhenReadsDurable</c>, before that sync; writers go on meanwhile
/// and share the next COMMIT; a failed sync fails exactly the writes it was to confirm.
/// </summary>
public sealed class SqliteWalSyncTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_write_is_acknowledged_and_reads_are_released_only_once_its_sync_ends()
    {
        await using var db = await CreateAsync();
        using var gate = new SyncGate();
        var commit = await gate.HoldWriteAsync(db, 1);

        // Committed, so a reader sees it; not yet on disk, so neither the writer nor that reader may pass it on.
        Assert.Equal([1L], await db.CommittedIdsAsync());
        var readsDurable = db.Database.WhenReadsDurable();
        await Task.Delay(200);
        Assert.False(commit.IsCompleted);
        Assert.False(readsDurable.IsCompleted);

        gate.Open();
        await commit;
        await readsDurable;
        Assert.True(db.Database.WhenReadsDurable().IsCompleted);
    }

    [Fact]
    public async Task Writers_go_on_while_the_disk_syncs_and_share_the_next_commit()
    {
        await using var db = await CreateAsync();
        using var gate = new SyncGate();
        long before = db.Writer.Commits;
        var first = await gate.HoldWriteAsync(db, 0);
        var during = Enumerable.Range(1, 10).Select(i => InsertAsync(db.BeginAsync(), i)).ToList();

        // The writer comes free behind those ten although the first sync still runs: they did not wait for the disk.
        await using (var probe = await db.BeginAsync())
        {
            Assert.All(during, write => Assert.False(write.IsCompleted));
        }

        Assert.Equal(1, db.Writer.Commits - before);
        gate.Open();
        await Task.WhenAll([first, .. during]);
        Assert.Equal(2, db.Writer.Commits - before);
        Assert.Equal(11, (await db.CommittedIdsAsync()).Count);
    }

    [Fact]
    public async Task A_full_group_keeps_the_writer_until_the_sync_ends()
    {
        await using var db = await CreateAsync();
        db.Writer.MaxGroupSize = 4;
        using var gate = new SyncGate();
        long before = db.Writer.Commits;
        var first = await gate.HoldWriteAsync(db, 0);
        var during = Enumerable.Range(1, 10).Select(i => InsertAsync(db.BeginAsync(), i)).ToList();
        var probe = db.BeginAsync();
        await Task.Delay(200);
        Assert.False(probe.IsCompleted);

        gate.Open();
        await (await probe).DisposeAsync();
        await Task.WhenAll([first, .. during]);
        // One group for the first write, then groups of at most four for the other ten.
        Assert.True(db.Writer.Commits - before >= 4, $"{db.Writer.Commits - before} commits");
        Assert.Equal(11, (await db.CommittedIdsAsync()).Count);
    }

    [Fact]
    public async Task A_failed_sync_fails_the_writes_it_was_to_confirm_and_the_next_ones_succeed()
    {
        await using var db = await CreateAsync();
        int failures = 1;
        db.Writer.SyncHook = () =>
        {
            if (Interlocked.Exchange(ref failures, 0) == 1)
            {
                throw new IOException("the disk went away");
            }
        };

        var failed = await Assert.ThrowsAsync<IOException>(() => InsertAsync(db.BeginAsync(), 1));
        Assert.Contains("did not confirm", failed.Message);
        Assert.Equal("the disk went away", failed.InnerException!.Message);
        await db.Database.WhenReadsDurable();

        await InsertAsync(db.BeginAsync(), 2);
        Assert.Contains(2L, await db.CommittedIdsAsync());
    }

    [Fact]
    public async Task A_schema_change_waits_for_the_running_sync_and_is_durable_itself()
    {
        await using var db = await CreateAsync();
        using var gate = new SyncGate();
        var write = await gate.HoldWriteAsync(db, 1);
        var schemaChange = db.BeginAsync(schemaChange: true);
        await Task.Delay(200);
        Assert.False(schemaChange.IsCompleted);

        gate.Open();
        await write;
        await using (var tx = await schemaChange)
        {
            await tx.ExecuteRawAsync("CREATE TABLE u (id INTEGER PRIMARY KEY)", None);
            await tx.CommitAsync(None);
        }

        // It ran alone with SQLite's own full sync, so it needed no sync of ours; grouped writes use ours again after it.
        Assert.Equal(1, gate.Syncs);
        await InsertAsync(db.BeginAsync(), 2);
        Assert.Equal(2, gate.Syncs);
        await db.ReopenAsync();
        Assert.Equal([1L, 2L], await db.CommittedIdsAsync());
    }

    [Fact]
    public async Task A_sync_blocks_a_thread_of_its_own_never_one_of_the_thread_pool()
    {
        // On one core the pool may have a single thread: a sync blocking it stopped every request for its length.
        await using var db = await CreateAsync();
        var onPool = new List<bool>();
        db.Writer.SyncHook = () =>
        {
            lock (onPool)
            {
                onPool.Add(Thread.CurrentThread.IsThreadPoolThread);
            }
        };

        await Task.WhenAll(Enumerable.Range(1, 20).Select(i => InsertAsync(db.BeginAsync(), i)));

        lock (onPool)
        {
            Assert.NotEmpty(onPool);
            Assert.All(onPool, Assert.False);
        }
    }

    [Fact]
    public async Task Without_full_sync_nothing_waits_for_a_sync()
    {
        string directory = Path.Combine(Path.GetTempPath(), "fundament-group", Guid.NewGuid().ToString("N"));
        try
        {
            await using var database = await Fundament.Data.Sqlite.SqliteDatabase.OpenAsync(Path.Combine(directory, "data.db"), fullSync: false, None);
            database.Writer.SyncHook = () => throw new InvalidOperationException("no WAL sync runs without full sync");
            Assert.False(database.ShowsWritesBeforeDurable);

            await using (var tx = await database.BeginWriteAsync(None))
            {
                await tx.ExecuteRawAsync("CREATE TABLE t (id INTEGER PRIMARY KEY)", None);
                await tx.ExecuteRawAsync("INSERT INTO t VALUES (1)", None);
                await tx.CommitAsync(None);
            }

            Assert.True(database.WhenReadsDurable().IsCompleted);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Holds every WAL sync until opened, counting them.</summary>
    private sealed class SyncGate : IDisposable
    {
        private readonly ManualResetEventSlim _open = new(false);
        private int _syncs;

        public int Syncs => Volatile.Read(ref _syncs);

        /// <summary>Holds the syncs of <paramref name="db"/> and starts a write of <paramref name="id"/>; returns it once its sync is held.</summary>
        public async Task<Task> HoldWriteAsync(GroupCommitDatabase db, long id)
        {
            db.Writer.SyncHook = Hold;
            int held = Syncs;
            var write = InsertAsync(db.BeginAsync(), id);
            await Eventually.TrueAsync(() => Syncs > held, "the write's WAL sync never started");
            return write;
        }

        private void Hold()
        {
            Interlocked.Increment(ref _syncs);
            _open.Wait(Eventually.DefaultTimeout);
        }

        public void Open() => _open.Set();

        // Opens rather than disposes the event: a sync of the database's own disposal may still come through.
        public void Dispose() => _open.Set();
    }
}
