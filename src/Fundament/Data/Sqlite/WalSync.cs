using System.Collections.Concurrent;
using System.IO.Pipes;
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
/// behind the disk and each was committed and synced alone.
/// <para>
/// The thread sleeps in a read of a pipe, and each sync queued writes a byte to it. It is woken once per group this
/// way, by the kernel. It used to wait on a monitor: the pulse woke it while the writer still held the lock, so on
/// one core it ran, blocked on that lock and was woken again, each time preempting a request, for ~4% more CPU per
/// create (bench/RESULTS.md). A BlockingCollection was worse still: it spun on sched_yield before every wait.
/// </para>
/// </remarks>
internal sealed class WalSync : IDisposable
{
    private readonly string _walPath;
    private readonly ConcurrentQueue<Action> _work = new();
    private readonly AnonymousPipeServerStream _wake = new(PipeDirection.Out);
    private readonly Lock _open = new();
    private volatile bool _completed;
    private SafeFileHandle? _handle;
    private bool _disposed;

    public WalSync(string walPath)
    {
        _walPath = walPath;
        var woken = new AnonymousPipeClientStream(PipeDirection.In, _wake.ClientSafePipeHandle);
        new Thread(() => RunWork(woken)) { IsBackground = true, Name = "Fundament WAL sync" }.Start();
    }

    /// <summary>
    /// Runs <paramref name="sync"/> on the sync thread, after any queued before it. Never at the same time as
    /// <see cref="Dispose"/> (the writer calls both under its lock): work queued while the thread ends could be left.
    /// </summary>
    public void Run(Action sync)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        _work.Enqueue(sync);
        _wake.WriteByte(1);
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
        if (!_completed)
        {
            _completed = true;
            // Closing the write end wakes the thread with the end of the pipe.
            _wake.Dispose();
        }

        lock (_open)
        {
            _disposed = true;
            _handle?.Dispose();
        }
    }

    // Runs what was queued before Dispose, then ends. A byte read may belong to a sync already run: the queue, not the
    // pipe, says what there is to do, and a byte written after the queue was found empty is never missed.
    private void RunWork(AnonymousPipeClientStream woken)
    {
        using (woken)
        {
            Span<byte> signals = stackalloc byte[64];
            while (true)
            {
                while (_work.TryDequeue(out var sync))
                {
                    sync();
                }

                if (_completed || woken.Read(signals) == 0)
                {
                    break;
                }
            }

            while (_work.TryDequeue(out var sync))
            {
                sync();
            }
        }
    }
}
