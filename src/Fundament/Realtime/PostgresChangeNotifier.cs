using System.Threading.Channels;
using Fundament.Data;
using Fundament.Data.Postgres;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Fundament.Realtime;

/// <summary>
/// PostgreSQL only: tells every node's <see cref="PostgresChangeListener"/> that the change log grew, after the writes
/// commit and outside their transactions, with one NOTIFY for however many commits happened while the previous one
/// was being sent.
/// </summary>
/// <remarks>
/// A NOTIFY inside the write's own transaction takes a database-wide lock at its commit and holds it through the
/// commit's WAL flush, so every writing transaction of the cluster committed one at a time (under the benchmark's
/// creates, 31 of 32 backends waited on that lock while one flushed). Sent afterwards, from one connection, only these
/// small transactions queue on it. A NOTIFY lost to a crash or a dropped connection delays other nodes until their next
/// poll of the log (<see cref="RealtimeOptions.RealtimePollMilliseconds"/>); this node's own feed is woken directly.
/// </remarks>
internal sealed partial class PostgresChangeNotifier(Database database, ILogger<PostgresChangeNotifier> logger) : BackgroundService
{
    // One pending signal is enough: a NOTIFY sent after a commit tells of that commit and of every one before it.
    private readonly Channel<bool> _signals = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly PostgresDatabase? _postgres = database as PostgresDatabase;

    /// <summary>False on SQLite, which is one node: nothing needs telling.</summary>
    public bool Enabled => _postgres is not null;

    /// <summary>Asks for a NOTIFY; call it after a commit that added to the change log. Never blocks.</summary>
    public void Signal() => _signals.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            return;
        }

        while (await _signals.Reader.WaitToReadAsync(stoppingToken))
        {
            _signals.Reader.TryRead(out _);
            try
            {
                await NotifyAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                LogNotifyFailed(ex);
            }
        }
    }

    private async Task NotifyAsync(CancellationToken cancellationToken)
    {
        // A connection outside the read metrics: this is no read, and a scrape should not count it as one in flight.
        await using var connection = await _postgres!.OpenSessionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // A NOTIFY's transaction writes a commit record; nothing is lost if that record is, so it need not wait for
        // the WAL flush (listeners hear of it at its commit either way).
        command.CommandText = $"BEGIN; SET LOCAL synchronous_commit = off; NOTIFY {ChangeStore.Channel}; COMMIT";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not tell other nodes of new changes (NOTIFY); they catch up at their next poll of the change log")]
    private partial void LogNotifyFailed(Exception exception);
}
