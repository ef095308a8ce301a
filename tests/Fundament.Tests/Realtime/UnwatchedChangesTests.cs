using Fundament.Realtime;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Realtime;

/// <summary>
/// On SQLite a node with no stream open does not read its own changes back from the log: the feed only moves the
/// live start on. Streams opened later still start live from there, and resumes still replay from the log.
/// </summary>
public sealed class UnwatchedChangesTests : IAsyncLifetime
{
    private RealtimeTestBed _bed = null!;

    public async ValueTask InitializeAsync() => _bed = await RealtimeTestBed.StartAsync(DbKind.Sqlite);

    public async ValueTask DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task Writes_nobody_watches_are_passed_over_yet_later_streams_go_live_and_resumes_replay_them()
    {
        var feed = _bed.Server.Get<ChangeFeed>();
        string before;
        await using (var first = await _bed.StreamAsync(_bed.Alice, "collections=notes"))
        {
            before = (await first.ExpectAsync("create", await _bed.NoteAsync(_bed.Alice, "watched"))).Id!;
        }

        await Eventually.TrueAsync(() => _bed.Server.Get<RealtimeBroker>().Count == 0, "the first stream was never closed");
        long readWhileWatched = feed.ChangesRead;
        Assert.True(readWhileWatched >= 1, "the feed read nothing while a stream was open");

        var unwatched = new List<string>();
        for (int i = 0; i < 20; i++)
        {
            unwatched.Add(await _bed.NoteAsync(_bed.Alice, $"unwatched {i}"));
        }

        long newest = await _bed.Server.Get<ChangeStore>().MaxIdAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => feed.HighWater == newest, $"the feed never moved on to change {newest}");
        Assert.Equal(readWhileWatched, feed.ChangesRead);

        await using var live = await _bed.StreamAsync(_bed.Alice, "collections=notes");
        string next = await _bed.NoteAsync(_bed.Alice, "live");
        await live.ExpectAsync("create", next);
        Assert.DoesNotContain("unwatched", live.Raw, StringComparison.Ordinal);
        Assert.True(feed.ChangesRead > readWhileWatched, "with a stream open the feed must read the changes it publishes");

        await using var resumed = await _bed.StreamAsync(_bed.Alice, "collections=notes", lastEventId: before);
        foreach (string id in unwatched)
        {
            await resumed.ExpectAsync("create", id);
        }

        await resumed.ExpectAsync("create", next);
    }

    [Fact]
    public async Task The_live_start_does_not_move_past_changes_while_a_stream_is_open()
    {
        var broker = _bed.Server.Get<RealtimeBroker>();
        await using var live = await _bed.StreamAsync(_bed.Alice, "collections=notes");

        // What the feed does when a stream opened between its look at the broker and its skip: the skip is refused,
        // and the change it would have passed over still reaches the stream.
        Assert.False(broker.TrySkipTo(long.MaxValue));
        string id = await _bed.NoteAsync(_bed.Alice, "still delivered");
        await live.ExpectAsync("create", id);
    }
}
