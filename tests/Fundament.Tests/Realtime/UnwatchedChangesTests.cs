using Fundament.Http;
using Fundament.Realtime;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Realtime;

/// <summary>
/// On SQLite a node with no stream open does not look at the log: its own changes are for nobody. The first stream to
/// open moves the live start on to the newest change, the feed goes on from there, and resumes still replay from the log.
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

        long highWater = feed.HighWater;
        await Task.Delay(ChangeFeed.UnwatchedKickCoalescing * 4);
        Assert.Equal(readWhileWatched, feed.ChangesRead);
        Assert.Equal(highWater, feed.HighWater);

        await using var live = await _bed.StreamAsync(_bed.Alice, "collections=notes");
        string next = await _bed.NoteAsync(_bed.Alice, "live");
        await live.ExpectAsync("create", next);
        Assert.DoesNotContain("unwatched", live.Raw, StringComparison.Ordinal);

        // It went on from the live start, not from where it stopped: the twenty changes nobody watched stay unread.
        Assert.InRange(feed.ChangesRead - readWhileWatched, 1, 3);

        await using var resumed = await _bed.StreamAsync(_bed.Alice, "collections=notes", lastEventId: before);
        foreach (string id in unwatched)
        {
            await resumed.ExpectAsync("create", id);
        }

        await resumed.ExpectAsync("create", next);
    }

    [Fact]
    public async Task Only_the_first_stream_moves_the_live_start_on()
    {
        var broker = _bed.Server.Get<RealtimeBroker>();
        Assert.True(await broker.WaitStartedAsync(CancellationToken.None));
        long start = broker.Published;
        using var first = new Subscriber(Caller.Anonymous, [], 8);
        using var second = new Subscriber(Caller.Anonymous, [], 8);
        try
        {
            Assert.True(broker.TryAdd(first, start + 100));
            Assert.Equal(start + 100, broker.Published);
            Assert.Equal(start + 100, first.StartAfter);

            // The first stream needs what commits after its start, so the second one opening later moves nothing.
            Assert.True(broker.TryAdd(second, start + 200));
            Assert.Equal(start + 100, broker.Published);
            Assert.Equal(start + 200, second.StartAfter);
        }
        finally
        {
            broker.Remove(first);
            broker.Remove(second);
        }
    }
}
