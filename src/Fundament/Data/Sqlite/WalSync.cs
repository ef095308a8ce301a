using Microsoft.Win32.SafeHandles;

namespace Fundament.Data.Sqlite;

/// <summary>
/// Flushes a database's write-ahead log to disk from outside SQLite. The writer runs with
/// <c>synchronous = NORMAL</c>, so a COMMIT only writes the WAL (a killed process loses nothing; a power cut may);
/// one fsync of the file then makes every frame written so far durable, and the writer may go on meanwhile.
/// </summary>
internal sealed class WalSync(string walPath) : IDisposable
{
    private readonly Lock _open = new();
    private SafeFileHandle? _handle;
    private bool _disposed;

    /// <summary>fsync of the WAL; SQLite keeps the file while the writer's connection is open, so one handle serves.</summary>
    public void Flush()
    {
        SafeFileHandle handle;
        lock (_open)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            handle = _handle ??= File.OpenHandle(walPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        }

        RandomAccess.FlushToDisk(handle);
    }

    public void Dispose()
    {
        lock (_open)
        {
            _disposed = true;
            _handle?.Dispose();
        }
    }
}
