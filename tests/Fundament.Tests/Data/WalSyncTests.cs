using Fundament.Data.Sqlite;

namespace Fundament.Tests.Data;

/// <summary>
/// The WAL sync thread on its own: it runs what it is given in order, on one thread of its own, wakes for work queued
/// at any moment, and on dispose runs what was queued before and then ends.
/// </summary>
public sealed class WalSyncTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fundament-walsync-").FullName;

    [Fact]
    public async Task Work_runs_in_order_on_one_thread_outside_the_pool_however_it_is_queued()
    {
        using var sync = new WalSync(WalFile());
        var ran = new List<int>();
        var threads = new HashSet<Thread>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        const int Count = 2_000;
        for (int i = 0; i < Count; i++)
        {
            int n = i;
            sync.Run(() =>
            {
                ran.Add(n);
                threads.Add(Thread.CurrentThread);
                if (n == Count - 1)
                {
                    done.SetResult();
                }
            });

            // Now and then let the thread drain the queue and go back to sleep, so some work arrives while it sleeps.
            if (i % 100 == 0)
            {
                await Task.Delay(1);
            }
        }

        await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(0, Count), ran);
        Assert.False(Assert.Single(threads).IsThreadPoolThread);
    }

    [Fact]
    public async Task Work_queued_after_the_thread_went_idle_wakes_it()
    {
        using var sync = new WalSync(WalFile());
        for (int i = 0; i < 5; i++)
        {
            await Task.Delay(50);
            var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            sync.Run(ran.SetResult);
            await ran.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public async Task Dispose_runs_what_was_queued_first_then_refuses_more_and_ends_the_thread()
    {
        var sync = new WalSync(WalFile());
        var gate = new ManualResetEventSlim();
        var ran = new List<int>();
        Thread? thread = null;
        sync.Run(() =>
        {
            thread = Thread.CurrentThread;
            gate.Wait();
            ran.Add(1);
        });
        sync.Run(() => ran.Add(2));

        sync.Dispose();
        Assert.Throws<ObjectDisposedException>(() => sync.Run(() => ran.Add(3)));
        gate.Set();

        await AssertEndsAsync(() => thread);
        Assert.Equal([1, 2], ran);
    }

    [Fact]
    public async Task Dispose_ends_a_thread_that_sleeps_waiting_for_work()
    {
        var sync = new WalSync(WalFile());
        var started = new TaskCompletionSource<Thread>(TaskCreationOptions.RunContinuationsAsynchronously);
        sync.Run(() => started.SetResult(Thread.CurrentThread));
        var thread = await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(100);

        sync.Dispose();
        await AssertEndsAsync(() => thread);
    }

    [Fact]
    public void Flush_syncs_the_file_and_refuses_once_disposed()
    {
        string wal = WalFile();
        var sync = new WalSync(wal);
        sync.Flush();
        sync.Dispose();
        Assert.Throws<ObjectDisposedException>(sync.Flush);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static async Task AssertEndsAsync(Func<Thread?> thread)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (thread() is not { IsAlive: false } && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.False(thread()?.IsAlive ?? true, "The sync thread did not end.");
    }

    private string WalFile()
    {
        string path = Path.Combine(_directory, Guid.NewGuid().ToString("N") + "-wal");
        File.WriteAllBytes(path, [1, 2, 3]);
        return path;
    }
}
