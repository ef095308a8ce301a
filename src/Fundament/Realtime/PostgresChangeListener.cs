using Fundament.Data;
using Fundament.Data.Postgres;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Fundament.Realtime;

/// <summary>
/// PostgreSQL only: holds one connection that <c>LISTEN</c>s for the NOTIFY sent after committed changes,
/// from any node, and wakes the <see cref="ChangeFeed"/>. A dropped connection is reopened with backoff
/// and the feed catches up from the log, so nothing is lost while it is down — only delayed.
/// </summary>
internal sealed partial class PostgresChangeListener(Database database, ChangeFeed feed, ILogger<PostgresChangeListener> logger) : BackgroundService
{
    /// <summary>How long a quiet connection waits before it proves it is still alive with a query.</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // SQLite is one node: its commits wake the feed directly.
        if (database is not PostgresDatabase postgres)
        {
            return;
        }

        int failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await postgres.OpenSessionAsync(stoppingToken);
                connection.Notification += (_, _) => feed.Kick();
                await using (var listen = new NpgsqlCommand("LISTEN " + ChangeStore.Channel, connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                if (failures > 0)
                {
                    LogListening();
                }

                failures = 0;
                feed.Kick();
                while (true)
                {
                    if (!await connection.WaitAsync(KeepAlive, stoppingToken))
                    {
                        await using var ping = new NpgsqlCommand("SELECT 1", connection);
                        await ping.ExecuteScalarAsync(stoppingToken);
                    }
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                LogConnectionLost(ex);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(30_000, 100 * Math.Pow(2, Math.Min(++failures, 10)))), stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The realtime LISTEN connection failed; reconnecting (changes are caught up from the log meanwhile)")]
    private partial void LogConnectionLost(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "The realtime LISTEN connection is back")]
    private partial void LogListening();
}
