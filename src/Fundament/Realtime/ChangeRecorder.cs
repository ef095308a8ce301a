using System.Text;
using Fundament.Collections;
using Fundament.Data;
using Fundament.Records;

namespace Fundament.Realtime;

/// <summary>
/// Writes every record change to the change log from inside the write's transaction (record hooks), so a
/// committed change is never missed and a rolled-back one never published. After the commit it wakes this
/// node's feed; other nodes hear of it through PostgreSQL's NOTIFY.
/// </summary>
internal sealed class ChangeRecorder(ChangeFeed feed)
{
    public void Register(RecordHooks hooks)
    {
        hooks.Written.Add((write, cancellationToken) => RecordAsync(write.Transaction, write.Collection,
            write.Before is null ? ChangeActions.Create : ChangeActions.Update, write.After, write.Before, write.Context.Now, cancellationToken));
        hooks.Deleted.Add((deletion, cancellationToken) => RecordAsync(deletion.Transaction, deletion.Collection,
            ChangeActions.Delete, deletion.Record.Values, null, deletion.Context.Now, cancellationToken));
    }

    private async ValueTask RecordAsync(WriteTransaction tx, Collection collection, string action, object?[] values, object?[]? before,
        DateTime now, CancellationToken cancellationToken)
    {
        // The API's own writer, so hidden fields (password hashes) never reach the log or a stream.
        var record = new Record(collection, values);
        string json = Encoding.UTF8.GetString(RecordJson.ToUtf8(record));
        string? previous = before is null ? null : Encoding.UTF8.GetString(RecordJson.ToUtf8(new Record(collection, before)));
        await ChangeStore.InsertAsync(tx, collection.Name, record.Id, action, json, previous, now, cancellationToken);
        tx.OnCommitted(feed.Kick);
    }
}
