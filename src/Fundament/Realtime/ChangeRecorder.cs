using System.Text;
using Fundament.Collections;
using Fundament.Data;
using Fundament.Records;

namespace Fundament.Realtime;

/// <summary>
/// Logs every record change in the change log as part of the write's transaction (record hooks), so a
/// committed change is never missed and a rolled-back one never published. The changes of a transaction
/// are written together just before it commits (<see cref="ChangeStore.Log"/>): a write that fails later
/// takes no change id at all, and an id is taken only moments before it becomes visible, which keeps the
/// feed's waits for uncommitted ids on PostgreSQL rare and short. After the
/// commit this node's feed is woken; other nodes hear of it through NOTIFY (<see cref="PostgresChangeNotifier"/>).
/// </summary>
internal sealed class ChangeRecorder(ChangeFeed feed, PostgresChangeNotifier notifier)
{
    public void Register(RecordHooks hooks)
    {
        hooks.Written.Add((write, _) => Record(write.Transaction, write.Collection,
            write.Before is null ? ChangeActions.Create : ChangeActions.Update, write.Written ?? new Record(write.Collection, write.After), write.Before,
            write.Context.Now));
        hooks.Deleted.Add((deletion, _) => Record(deletion.Transaction, deletion.Collection,
            ChangeActions.Delete, new Record(deletion.Collection, deletion.Record.Values), null, deletion.Context.Now));
    }

    private ValueTask Record(WriteTransaction tx, Collection collection, string action, Record record, object?[]? before, DateTime now)
    {
        // The API's own writer, so hidden fields (password hashes) never reach the log or a stream; the response to
        // the write reuses the bytes.
        string json = Encoding.UTF8.GetString(RecordJson.Shared(record));
        string? previous = before is null ? null : Encoding.UTF8.GetString(RecordJson.ToUtf8(new Record(collection, before)));
        if (tx.Append(ChangeStore.Log, new PendingChange(collection.Name, record.Id, action, json, previous, feed.Origin, now)))
        {
            tx.OnCommitted(feed.Kick);
            if (notifier.Enabled)
            {
                tx.OnCommitted(notifier.Signal);
            }
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>A change waiting for its transaction to commit.</summary>
internal sealed record PendingChange(string Collection, string RecordId, string Action, string Record, string? Previous, string Origin, DateTime At);
