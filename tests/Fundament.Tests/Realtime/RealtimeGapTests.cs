using Fundament.Data;
using Fundament.Realtime;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Realtime;

/// <summary>
/// PostgreSQL hands out change ids at insert but makes them visible at commit, so a later id can commit
/// first. The feed must not let a client's Last-Event-ID pass a change that is still to come.
/// </summary>
public sealed class RealtimeGapTests : IAsyncLifetime
{
    private RealtimeTestBed _bed = null!;

    public async ValueTask InitializeAsync() => _bed = await RealtimeTestBed.StartAsync(DbKind.Postgres, new Dictionary<string, string?>
    {
        ["Fundament:RealtimeGapTimeoutMilliseconds"] = "1500",
    });

    public async ValueTask DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task A_change_that_commits_after_a_later_one_is_still_delivered_first()
    {
        await using var alice = await _bed.StreamAsync(_bed.Alice, "collections=notes");
        await using (var held = await HoldChangeAsync("held briefly"))
        {
            string later = await _bed.NoteAsync(_bed.Alice, "committed first");
            await Task.Delay(300);
            await held.Transaction.CommitAsync(CancellationToken.None);
            var first = await alice.ExpectAsync("create", held.RecordId);
            var second = await alice.ExpectAsync("create", later);
            Assert.True(long.Parse(first.Id!, System.Globalization.CultureInfo.InvariantCulture) < long.Parse(second.Id!, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task A_change_that_commits_after_the_gap_timeout_arrives_late_without_an_id()
    {
        await using var alice = await _bed.StreamAsync(_bed.Alice, "collections=notes");
        await using var held = await HoldChangeAsync("held too long");
        string later = await _bed.NoteAsync(_bed.Alice, "committed first");
        var first = await alice.ExpectAsync("create", later);
        Assert.NotNull(first.Id);
        await held.Transaction.CommitAsync(CancellationToken.None);
        // Late, and without an id: the client's Last-Event-ID must not move back before "later".
        var late = await alice.ExpectAsync("create", held.RecordId);
        Assert.Null(late.Id);
    }

    /// <summary>Takes a change id for one of Alice's notes in a transaction that stays open until committed or disposed.</summary>
    private async Task<HeldChange> HoldChangeAsync(string text)
    {
        var tx = await _bed.Server.Get<Database>().BeginWriteAsync(CancellationToken.None);
        string id = Guid.CreateVersion7().ToString();
        string now = Timestamps.FormatValue(DateTime.UtcNow);
        string record = $$"""{"id":"{{id}}","text":"{{text}}","owner":"{{_bed.Alice.Id}}","created_at":"{{now}}","updated_at":"{{now}}","deleted_at":null}""";
        // Written now rather than appended for the commit, so the id is taken while the transaction stays open.
        await tx.ExecuteAsync(ChangeStore.Log.Insert(tx.Dialect, [new PendingChange("notes", id, ChangeActions.Create, record, null, "test", DateTime.UtcNow)]), CancellationToken.None);
        return new HeldChange(tx, id);
    }

    private sealed record HeldChange(WriteTransaction Transaction, string RecordId) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Transaction.DisposeAsync();
    }
}
