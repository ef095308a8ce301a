using System.Buffers;
using System.Collections.Concurrent;

namespace Fundament.Observability;

/// <summary>
/// Writes queued log lines to standard output (or error) from one background thread, as many lines per write as
/// have gathered. The thread is woken when the queue goes from empty to non-empty and then waits
/// <see cref="GatherDelay"/> before draining, so a busy server makes about a hundred writes a second whatever its
/// request rate, and a quiet one shows each line within milliseconds. Lines arrive as UTF-8 and wait in buffers that
/// the writer hands back once written. <see cref="Enqueue"/> never blocks: past
/// <see cref="MaxQueued"/> waiting lines (standard output stalled) new lines are dropped, and the line
/// <see cref="DescribeDropped"/> makes of their number is written once the writer catches up. Disposing writes what is
/// queued.
/// </summary>
public sealed class ConsoleLineWriter : IDisposable
{
    public static readonly TimeSpan GatherDelay = TimeSpan.FromMilliseconds(10);
    public const int MaxQueued = 10_000;

    // Lines up to this size wait in recycled buffers (a request line is about 1 KB); longer ones in their own array.
    private const int LineBufferSize = 2048;
    // Buffers kept for reuse: enough for the lines of a few gather delays at tens of thousands of lines a second.
    private const int MaxFreeBuffers = 1024;
    private static readonly TimeSpan DrainOnDispose = TimeSpan.FromSeconds(2);

    private readonly ConcurrentQueue<(byte[] Line, int Length, bool Error)> _queue = new();
    // ArrayPool.Shared keeps arrays per thread and per core, so arrays returned by the writer thread were mostly not
    // there for the request threads that rent: one queue of free buffers serves every thread.
    private readonly ConcurrentQueue<byte[]> _free = new();
    private int _freeCount;
    private readonly AutoResetEvent _wake = new(false);
    private readonly Stream _output;
    private readonly Stream _error;
    private readonly Thread _thread;
    private int _queued;
    private int _dropped;
    private volatile bool _stopping;

    public ConsoleLineWriter(Stream output, Stream error)
    {
        _output = output;
        _error = error;
        _thread = new Thread(Run) { IsBackground = true, Name = "Fundament console log" };
        _thread.Start();
    }

    /// <summary>The line to write (on the writer thread, UTF-8) about a number of dropped lines.</summary>
    public Func<int, byte[]>? DescribeDropped { get; set; }

    /// <summary>Queues a copy of <paramref name="line"/> (UTF-8, ending in its newline) for standard output or error.</summary>
    public void Enqueue(ReadOnlySpan<byte> line, bool error)
    {
        if (_stopping)
        {
            return;
        }

        if (Volatile.Read(ref _queued) >= MaxQueued)
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        byte[] copy = Rent(line.Length);
        line.CopyTo(copy);
        _queue.Enqueue((copy, line.Length, error));
        if (Interlocked.Increment(ref _queued) == 1)
        {
            _wake.Set();
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _wake.Set();
        // The event is not disposed: a thread still logging during shutdown may set it after this returns.
        _thread.Join(DrainOnDispose);
    }

    private void Run()
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        while (true)
        {
            if (Volatile.Read(ref _queued) <= 0 && !_stopping)
            {
                _wake.WaitOne();
            }

            bool stopping = _stopping;
            if (!stopping)
            {
                Thread.Sleep(GatherDelay);
            }

            Interlocked.Add(ref _queued, -Drain(buffer));
            if (Interlocked.Exchange(ref _dropped, 0) is > 0 and int dropped && DescribeDropped?.Invoke(dropped) is { } notice)
            {
                buffer.Write(notice);
                Flush(buffer, error: false);
            }

            if (stopping && _queue.IsEmpty)
            {
                return;
            }
        }
    }

    // Writes everything queued, switching streams only where consecutive lines change target; returns the lines taken.
    private int Drain(ArrayBufferWriter<byte> buffer)
    {
        int taken = 0;
        bool error = false;
        while (_queue.TryDequeue(out var entry))
        {
            taken++;
            if (entry.Error != error && buffer.WrittenCount > 0)
            {
                Flush(buffer, error);
            }

            error = entry.Error;
            buffer.Write(entry.Line.AsSpan(0, entry.Length));
            Recycle(entry.Line);
            if (buffer.WrittenCount >= 256 * 1024)
            {
                Flush(buffer, error);
            }
        }

        Flush(buffer, error);
        return taken;
    }

    private byte[] Rent(int length)
    {
        if (length > LineBufferSize)
        {
            return new byte[length];
        }

        if (_free.TryDequeue(out var recycled))
        {
            Interlocked.Decrement(ref _freeCount);
            return recycled;
        }

        return new byte[LineBufferSize];
    }

    private void Recycle(byte[] line)
    {
        if (line.Length == LineBufferSize && Volatile.Read(ref _freeCount) < MaxFreeBuffers)
        {
            _free.Enqueue(line);
            Interlocked.Increment(ref _freeCount);
        }
    }

    private void Flush(ArrayBufferWriter<byte> buffer, bool error)
    {
        if (buffer.WrittenCount == 0)
        {
            return;
        }

        try
        {
            var stream = error ? _error : _output;
            stream.Write(buffer.WrittenSpan);
            stream.Flush();
        }
        catch (IOException)
        {
            // Standard output closed (the reading end of a pipe went away): the lines have nowhere to go.
        }

        buffer.ResetWrittenCount();
    }
}
