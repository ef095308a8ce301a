using Microsoft.Win32.SafeHandles;

namespace Fundament.Data.Sqlite;

/// <summary>
/// Flushes a database's write-ahead log to disk from outside SQLite. The writer runs with
/// <c>synchronous = NORMAL</c>, so a COMMIT only writes the WAL (a killed process loses nothing; a power cut may);
/// one fsync of the file then makes every frame written so far durable, and the writer may go on meanwhile.
/// </summary>
/// <remarks>
/// Syncs run on a thread of their own, never on the thread pool: an fsync blocks its thread, and where the pool has
/// a single thread (one core) a sync on it stopped every request for its length, so writes no longer gathered
/// behind the disk and each was committed and synced alone. The thread waits for work without spinning (a
/// BlockingCollection spun on sched_yield before every wait, which took CPU from the requests on a small machine).
/// </remarks>
internal sealed class WalSync : IDisposable
{
    private readonly string _walPath;
    private readonly Queue<Action> _work = [];
    private readonly Lock _open = new();
    private bool _completed;
    private SafeFileHandle? _handle;
    private bool _disposed;

    public WalSync(string walPath)
    {
        _walPath = walPath;
        new Thread(RunWork) { IsBackground = true, Name = "Fundament WAL sync" }.Start();
    }

    /// <summary>Runs <paramref name="sync"/> on the sync thread, after any queued before it.</summary>
    public void Run(Action sync)
    {
        lock (_work)
        {
            ObjectDisposedException.ThrowIf(_completed, this);
            _work.Enqueue(sync);
            Monitor.Pulse(_work);
        }
    }

    /// <summary>fsync of the WAL; SQLite keeps the file while the writer's connection is open, so one handle serves.</summary>
    public void Flush()
    {
        SafeFileHandle handle;
        lock (_open)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            handle = _handle ??= File.OpenHandle(_walPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        }

        RandomAccess.FlushToDisk(handle);
    }

    public void Dispose()
    {
        lock (_work)
        {
            _completed = true;
            Monitor.Pulse(_work);
        }

        lock (_open)
        {
            _disposed = true;
            _handle?.Dispose();
        }
    }

    // Runs what was queued before Dispose, then ends.
    private void RunWork()
    {
        while (true)
        {
            Action sync;
            lock (_work)
            {
                while (_work.Count == 0)
                {
                    if (_completed)
                    {
                        return;
                    }

                    Monitor.Wait(_work);
                }

                sync = _work.Dequeue();
            }

            sync();
        }
    }
}
