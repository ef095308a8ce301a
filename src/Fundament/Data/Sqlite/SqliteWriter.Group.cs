using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Fundament.Data.Sqlite;

/// <summary>How a group's savepoints end, and how the group itself is committed or abandoned.</summary>
internal sealed partial class SqliteWriter
{
    /// <summary>Releases the member's savepoint into the group; the caller holds the writer.</summary>
    internal void ReleaseSavepoint() => Execute("RELEASE " + Savepoint);

    /// <summary>Undoes the member's savepoint; on any doubt about the group, abandons the whole group.</summary>
    internal void RollBackSavepoint()
    {
        if (_group is null)
        {
            return;
        }

        if (raw.sqlite3_get_autocommit(_connection.Handle) != 0)
        {
            AbandonGroup(GroupLost());
            return;
        }

        try
        {
            Execute("ROLLBACK TO " + Savepoint);
            Execute("RELEASE " + Savepoint);
        }
        catch (Exception ex) when (ex is SqliteException or InvalidOperationException)
        {
            AbandonGroup(ex);
        }
    }

    /// <summary>
    /// Writes the rows the group's members appended, then COMMITs the open group — unless the previous group's WAL sync
    /// still runs: that sync commits this group when it ends, so groups grow while the disk is busy. Without a WAL sync
    /// (no full sync) the members are told at once; with one, the COMMIT only writes the WAL and <see cref="Sync"/> tells
    /// them once it is on disk.
    /// </summary>
    private void CommitGroup()
    {
        if (_group is null || _syncing is not null)
        {
            return;
        }

        if (raw.sqlite3_get_autocommit(_connection.Handle) != 0)
        {
            AbandonGroup(GroupLost());
            return;
        }

        try
        {
            WriteAppended();
        }
        catch (Exception ex) when (ex is SqliteException or InvalidOperationException)
        {
            AbandonGroup(ex);
            return;
        }

        // Readers see the group from the moment its COMMIT wrote the WAL, so the sync they may have to wait for
        // (WhenDurable) is in place before the COMMIT.
        TaskCompletionSource? synced = _walSync is null || _committed.Count == 0 ? null : new(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _syncing, synced?.Task);
        try
        {
            _group.Commit();
        }
        catch (Exception ex) when (ex is SqliteException or InvalidOperationException)
        {
            Volatile.Write(ref _syncing, null);
            synced?.SetResult();
            AbandonGroup(ex);
            return;
        }

        _group.Dispose();
        _group = null;
        Interlocked.Increment(ref _commits);
        if (synced is null)
        {
            Complete(_committed, null);
            _committed.Clear();
            return;
        }

        SqliteGroupMember[] members = [.. _committed];
        _committed.Clear();
        _walSync!.Run(() => Sync(members, synced));
        _ = CommitAfterSyncAsync(synced.Task, holdsWriter: false);
    }

    // The rows the group's members appended, in commit order: a statement or two for the whole group.
    private void WriteAppended()
    {
        foreach (var rows in _appended)
        {
            foreach (var insert in rows.Inserts(SqliteDialect.Instance))
            {
                using var command = insert.CreateCommand(_connection, _group);
                command.ExecuteNonQuery();
            }
        }

        _appended.Clear();
    }

    /// <summary>Makes a committed group's WAL durable, off the writer, then tells its members.</summary>
    private void Sync(SqliteGroupMember[] members, TaskCompletionSource synced)
    {
        Exception? failure = null;
        try
        {
            SyncHook?.Invoke();
            _walSync!.Flush();
        }
        catch (Exception ex)
        {
            failure = new IOException("The write was committed, but the disk did not confirm it: it may be lost if the machine stops.", ex);
        }

        // In commit order and before the next group commits, so OnCommitted actions keep the order of the commits.
        Complete(members, failure);
        synced.SetResult();
    }

    /// <summary>
    /// Commits the group that gathered during <paramref name="syncing"/> once it ends. A full group's last member keeps
    /// the writer for this (<paramref name="holdsWriter"/>); otherwise it is taken behind the writers already waiting.
    /// </summary>
    private async Task CommitAfterSyncAsync(Task syncing, bool holdsWriter)
    {
        await syncing;
        if (!holdsWriter)
        {
            await _lock.WaitAsync(CancellationToken.None);
        }

        try
        {
            // Another holder may have waited for this sync already and committed since (CommitGroupDurablyAsync).
            if (_syncing == syncing)
            {
                Volatile.Write(ref _syncing, null);
                if (!_disposed && _committed.Count > 0)
                {
                    CommitGroup();
                }
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Commits the open group and waits until it is on disk; the caller holds the writer.</summary>
    private async Task CommitGroupDurablyAsync()
    {
        await WhenDurable();
        Volatile.Write(ref _syncing, null);
        CommitGroup();
        await WhenDurable();
        Volatile.Write(ref _syncing, null);
    }

    /// <summary>Rolls the group back and fails every member that committed into it: none was acknowledged.</summary>
    private void AbandonGroup(Exception reason)
    {
        var group = _group!;
        _group = null;
        try
        {
            // Rolls back, unless SQLite already did and said so through the rollback hook.
            group.Dispose();
        }
        catch (Exception ex) when (ex is SqliteException or InvalidOperationException)
        {
            // SQLite ended the transaction without Microsoft.Data.Sqlite noticing (a failed COMMIT), so
            // the connection believes it still open and would refuse every new one: start over on a new
            // connection. The old handle holds no lock, its transaction being over; its finalizer closes it.
            _connection = OpenConnection(_connectionString, _fullSync);
        }

        _appended.Clear();
        Complete(_committed, reason);
        _committed.Clear();
    }

    private static void Complete(IEnumerable<SqliteGroupMember> members, Exception? failure)
    {
        // In commit order, so OnCommitted actions keep the order of the commits.
        foreach (var member in members)
        {
            member.Complete(failure);
        }
    }

    private static SqliteException GroupLost() =>
        new("SQLite rolled back the shared transaction after an error in a write grouped with this one; this write was not committed.", raw.SQLITE_ABORT);
}
