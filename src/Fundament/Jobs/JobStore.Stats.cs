using Fundament.Data;

namespace Fundament.Jobs;

/// <summary>One queue's figures: jobs per state and how long the oldest due job has waited.</summary>
public sealed record QueueStats(string Queue, Dictionary<string, long> States, double? OldestDueSeconds);

/// <summary>The whole queue's figures, with attempt totals over the last hour.</summary>
public sealed record JobStats(List<QueueStats> Queues, long AttemptsLastHour, long FailuresLastHour);

public sealed partial class JobStore
{
    public async Task<JobStats> StatsAsync(CancellationToken cancellationToken)
    {
        var now = Timestamps.Now(clock);
        var queues = new SortedDictionary<string, QueueStats>(StringComparer.Ordinal);
        await using var connection = await database.OpenReadAsync(cancellationToken);
        var dialect = database.Dialect;
        var depth = new SqlBuilder(dialect);
        depth.Append($"SELECT queue, state, COUNT(*), MIN(CASE WHEN state IN ('{JobStates.Pending}', '{JobStates.Retrying}') AND run_at <= ")
             .Parameter(SqlType.Timestamp, now).Append($" THEN run_at END) FROM \"{JobTables.Jobs}\" GROUP BY queue, state");
        await using (var command = depth.CreateCommand(connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                string queue = reader.GetString(0);
                if (!queues.TryGetValue(queue, out var stats))
                {
                    stats = new QueueStats(queue, JobStates.All.ToDictionary(s => s, _ => 0L), null);
                }

                stats.States[reader.GetString(1)] = reader.GetInt64(2);
                if (dialect.Read(reader, 3, SqlType.Timestamp) is DateTime oldest)
                {
                    double age = Math.Max(0, (now - oldest).TotalSeconds);
                    stats = stats with { OldestDueSeconds = Math.Max(age, stats.OldestDueSeconds ?? 0) };
                }

                queues[queue] = stats;
            }
        }

        var attempts = new SqlBuilder(dialect);
        attempts.Append("SELECT COUNT(*), COALESCE(SUM(CASE WHEN ok = ").Parameter(SqlType.Boolean, false)
                .Append($" THEN 1 ELSE 0 END), 0) FROM \"{JobTables.Attempts}\" WHERE finished_at IS NOT NULL AND started_at >= ")
                .Parameter(SqlType.Timestamp, now - TimeSpan.FromHours(1));
        await using var totals = attempts.CreateCommand(connection);
        await using var row = await totals.ExecuteReaderAsync(cancellationToken);
        await row.ReadAsync(cancellationToken);
        return new JobStats([.. queues.Values], row.GetInt64(0), row.GetInt64(1));
    }
}
