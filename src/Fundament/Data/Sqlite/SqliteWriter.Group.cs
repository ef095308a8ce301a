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

    private void CommitGroup()
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
            _group.Commit();
        }
        catch (Exception ex) when (ex is SqliteException or InvalidOperationException)
        {
            AbandonGroup(ex);
            return;
        }

        _group.Dispose();
        _group = null;
        Interlocked.Increment(ref _commits);
        Complete(null);
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

        Complete(reason);
    }

    private void Complete(Exception? failure)
    {
        // In commit order, holding the writer, so OnCommitted actions keep the order of the commits.
        foreach (var member in _committed)
        {
            member.Complete(failure);
        }

        _committed.Clear();
    }

    private static SqliteException GroupLost() =>
        new("SQLite rolled back the shared transaction after an error in a write grouped with this one; this write was not committed.", raw.SQLITE_ABORT);
}
