using System.Data.Common;
using Fundament.Records;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fundament.Realtime;

/// <summary>
/// Reads the change log in id order and hands each change to the broker, on every node alike: a commit on
/// this node wakes it directly (<see cref="Kick"/>), one on another node through PostgreSQL's NOTIFY, and a
/// poll every <see cref="RealtimeOptions.RealtimePollMilliseconds"/> catches anything a lost notification hid.
/// <para>
/// On PostgreSQL ids are taken when a transaction inserts, not when it commits, so id 10 may become visible
/// after id 11. Delivering 11 first would let a client resume after 11 and never see 10, so the feed waits at
/// a gap for up to <see cref="RealtimeOptions.RealtimeGapTimeoutMilliseconds"/>. The recorder inserts just
/// before the commit, so a gap normally closes within milliseconds; one that does not (a commit that failed,
/// a process killed in between) is given up, but looked for a while longer: if it does commit, it is
/// delivered late, without an <c>id:</c> line. SQLite has one writer, so its ids commit in order and never gap.
/// </para>
/// <para>
/// The feed is also how a node learns of other nodes' writes (<see cref="Change.Origin"/>), so it makes the
/// <see cref="ReadCache"/> stale before it publishes them: a client that refetches on an event reads the change.
/// </para>
/// </summary>
internal sealed partial class ChangeFeed(ChangeStore store, RealtimeBroker broker, ReadCache cache, RealtimeOptions options,
    RealtimeMetrics metrics, TimeProvider clock, ILogger<ChangeFeed> logger) : BackgroundService
{
    public const int PageSize = 500;

    /// <summary>Ids given up on that are still looked for; a larger gap is not tracked past this.</summary>
    public const int MaxLateIds = 10_000;

    private static readonly TimeSpan GapRecheck = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LateRecheck = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LateLifetime = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Under a steady stream of writes every group commit kicks the feed; waiting this long after a read when the next
    /// kick is already in takes the writes of a few milliseconds in one read instead of one read per commit.
    /// </summary>
    internal static readonly TimeSpan KickCoalescing = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// The same wait while no stream is open on SQLite, where a kick then finds nothing to do: a stream that opens
    /// meanwhile hears of its first changes at most this much late.
    /// </summary>
    internal static readonly TimeSpan UnwatchedKickCoalescing = TimeSpan.FromMilliseconds(50);

    // No maximum: a kick racing a timeout may add a second count, which only costs one more read.
    private readonly SemaphoreSlim _signal = new(0);
    private readonly Dictionary<long, DateTime> _late = [];
    private int _signalled;
    private long _highWater;
    private long _changesRead;
    private DateTime? _gapSince;
    private DateTime _lateCheckedAt;

    /// <summary>This process among the nodes sharing the log; the changes it writes carry it.</summary>
    public string Origin { get; } = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    /// <summary>Asks the feed to read the log now; cheap, and coalesced while a read is pending.</summary>
    public void Kick()
    {
        if (Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            _signal.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        int failures = 0;
        while (true)
        {
            try
            {
                // Live streams start from here; what came before is only for resumes.
                _highWater = await store.MaxIdAsync(stoppingToken);
                break;
            }
            catch (DbException ex)
            {
                LogReadFailed(ex);
                await Task.Delay(Backoff(++failures), stoppingToken);
            }
        }

        broker.Start(_highWater);
        failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            await _signal.WaitAsync(_gapSince is not null ? GapRecheck : _late.Count > 0 ? LateRecheck : options.Poll, stoppingToken);
            Volatile.Write(ref _signalled, 0);
            try
            {
                bool watched = await CatchUpAsync(stoppingToken);
                failures = 0;
                if (Volatile.Read(ref _signalled) == 1)
                {
                    await Task.Delay(watched ? KickCoalescing : UnwatchedKickCoalescing, stoppingToken);
                }
            }
            catch (Exception ex) when (ex is DbException or InvalidOperationException or TimeoutException)
            {
                LogReadFailed(ex);
                await Task.Delay(Backoff(++failures), stoppingToken);
            }
        }
    }

    /// <summary>The last change id the feed has dealt with; on SQLite it stays put while no stream is open.</summary>
    internal long HighWater => Interlocked.Read(ref _highWater);

    /// <summary>Changes the feed has read from the log; on SQLite a node nobody listens to reads none.</summary>
    internal long ChangesRead => Interlocked.Read(ref _changesRead);

    /// <summary>Publishes what the log holds after the high water; false when, on SQLite with no stream open, it did not look.</summary>
    private async Task<bool> CatchUpAsync(CancellationToken cancellationToken)
    {
        // On SQLite this node is the only one writing the log, so with no stream open nobody needs its changes: the feed
        // does not look at the log at all (reading them back cost a create a tenth of its CPU, and reading only the
        // newest id still 1%). The first stream to open moves the live start to the newest change (RealtimeBroker.TryAdd)
        // and the feed goes on from there, over changes nobody was there to see.
        if (store.SingleNode)
        {
            if (broker.Count == 0)
            {
                return false;
            }

            _highWater = Math.Max(_highWater, broker.Published);
        }

        List<Change> page;
        do
        {
            page = await store.ListAfterAsync(_highWater, null, PageSize, cancellationToken);
            Interlocked.Add(ref _changesRead, page.Count);
            InvalidateCache(page);
            foreach (var change in page)
            {
                if (change.Id != _highWater + 1)
                {
                    var now = clock.GetUtcNow().UtcDateTime;
                    _gapSince ??= now;
                    if (now - _gapSince < options.GapTimeout)
                    {
                        return true;
                    }

                    GiveUp(_highWater + 1, change.Id - 1, now);
                }

                _gapSince = null;
                await PublishAsync(change, cancellationToken);
                _highWater = change.Id;
            }
        }
        while (page.Count == PageSize);

        await DeliverLateAsync(cancellationToken);
        return true;
    }

    private void GiveUp(long first, long last, DateTime now)
    {
        metrics.GapSkipped(last - first + 1);
        LogGapSkipped(first, last);
        for (long id = Math.Max(first, last - MaxLateIds + 1); id <= last && _late.Count < MaxLateIds; id++)
        {
            _late[id] = now;
        }
    }

    private async Task DeliverLateAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (_late.Count == 0 || now - _lateCheckedAt < LateRecheck)
        {
            return;
        }

        _lateCheckedAt = now;
        foreach (var (id, since) in _late)
        {
            if (now - since > LateLifetime)
            {
                _late.Remove(id);
            }
        }

        foreach (var chunk in _late.Keys.ToArray().Chunk(PageSize))
        {
            var changes = await store.ListLateAsync(chunk, cancellationToken);
            InvalidateCache(changes);
            foreach (var change in changes)
            {
                _late.Remove(change.Id);
                await PublishAsync(change, cancellationToken);
            }
        }
    }

    // This node's own writes did it at commit; only other nodes' writes are news to its cache.
    private void InvalidateCache(List<Change> changes)
    {
        foreach (var change in changes)
        {
            if (change.Origin != Origin)
            {
                cache.Invalidate();
                return;
            }
        }
    }

    // One change that cannot be published (a bug, not the database) must not stop every later one.
    private async Task PublishAsync(Change change, CancellationToken cancellationToken)
    {
        try
        {
            await broker.PublishAsync(change, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogPublishFailed(ex, change.Id);
        }
    }

    private static TimeSpan Backoff(int failures) => TimeSpan.FromMilliseconds(Math.Min(30_000, 100 * Math.Pow(2, Math.Min(failures, 10))));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the realtime change log failed; retrying")]
    private partial void LogReadFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Realtime change ids {First}..{Last} did not commit within the gap timeout; later changes go ahead")]
    private partial void LogGapSkipped(long first, long last);

    [LoggerMessage(Level = LogLevel.Error, Message = "Publishing realtime change {ChangeId} failed; it is skipped")]
    private partial void LogPublishFailed(Exception exception, long changeId);
}
