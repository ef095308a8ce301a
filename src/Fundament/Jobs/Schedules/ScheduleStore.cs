using System.Data.Common;
using Fundament.Data;
using Fundament.Toolkit;

namespace Fundament.Jobs.Schedules;

/// <summary>The SQL of schedules, and the step that turns due occurrences into jobs.</summary>
public sealed class ScheduleStore(Database database, JobStore jobs, TimeProvider clock)
{
    private const string Columns = "name, cron, time_zone, job, enabled, next_run_at, last_run_at, last_job_id, created_at, updated_at";

    /// <summary>Creates a schedule; false when the name is taken.</summary>
    public async Task<bool> CreateAsync(Schedule schedule, CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"INSERT INTO \"{JobTables.Schedules}\" ({Columns}) VALUES (").Parameter(SqlType.Text, schedule.Name).Append(", ")
           .Parameter(SqlType.Text, schedule.Cron.ToString()).Append(", ").Parameter(SqlType.Text, schedule.TimeZone).Append(", ")
           .Parameter(SqlType.Text, schedule.Job).Append(", ").Parameter(SqlType.Boolean, schedule.Enabled).Append(", ")
           .Parameter(SqlType.Timestamp, schedule.NextRunAt).Append(", NULL, NULL, ").Parameter(SqlType.Timestamp, schedule.CreatedAt).Append(", ")
           .Parameter(SqlType.Timestamp, schedule.UpdatedAt).Append(") ON CONFLICT (name) DO NOTHING");
        bool created = await tx.ExecuteAsync(sql, cancellationToken) == 1;
        await tx.CommitAsync(cancellationToken);
        return created;
    }

    /// <summary>Saves a changed definition (cron, zone, job, enabled and the recomputed next run); false when it is gone.</summary>
    public async Task<bool> SaveAsync(Schedule schedule, CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"UPDATE \"{JobTables.Schedules}\" SET cron = ").Parameter(SqlType.Text, schedule.Cron.ToString())
           .Append(", time_zone = ").Parameter(SqlType.Text, schedule.TimeZone).Append(", job = ").Parameter(SqlType.Text, schedule.Job)
           .Append(", enabled = ").Parameter(SqlType.Boolean, schedule.Enabled).Append(", next_run_at = ").Parameter(SqlType.Timestamp, schedule.NextRunAt)
           .Append(", updated_at = ").Parameter(SqlType.Timestamp, schedule.UpdatedAt).Append(" WHERE name = ").Parameter(SqlType.Text, schedule.Name);
        bool saved = await tx.ExecuteAsync(sql, cancellationToken) == 1;
        await tx.CommitAsync(cancellationToken);
        return saved;
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"DELETE FROM \"{JobTables.Schedules}\" WHERE name = ").Parameter(SqlType.Text, name);
        bool deleted = await tx.ExecuteAsync(sql, cancellationToken) == 1;
        await tx.CommitAsync(cancellationToken);
        return deleted;
    }

    public async Task<Schedule?> FindAsync(string name, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(database.Dialect);
        sql.Append($"SELECT {Columns} FROM \"{JobTables.Schedules}\" WHERE name = ").Parameter(SqlType.Text, name);
        var found = await QueryAsync(sql, cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    public Task<List<Schedule>> ListAsync(CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(database.Dialect);
        sql.Append($"SELECT {Columns} FROM \"{JobTables.Schedules}\" ORDER BY name");
        return QueryAsync(sql, cancellationToken);
    }

    /// <summary>
    /// Enqueues one job for every schedule that is due and moves its next run past now — so a schedule
    /// that missed several occurrences while the server was down runs once, not once per missed slot.
    /// On PostgreSQL the due rows are locked and skipped by other nodes, and each job's idempotency key
    /// names the occurrence, so only one node enqueues each run.
    /// </summary>
    public async Task<int> EnqueueDueAsync(CancellationToken cancellationToken)
    {
        var now = Timestamps.Now(clock);
        var probe = new SqlBuilder(database.Dialect);
        probe.Append($"SELECT {Columns} FROM \"{JobTables.Schedules}\" WHERE enabled = ").Parameter(SqlType.Boolean, true)
             .Append(" AND next_run_at <= ").Parameter(SqlType.Timestamp, now);
        if ((await QueryAsync(probe, cancellationToken)).Count == 0)
        {
            return 0;
        }

        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var due = new SqlBuilder(tx.Dialect);
        due.Append($"SELECT {Columns} FROM \"{JobTables.Schedules}\" WHERE enabled = ").Parameter(SqlType.Boolean, true)
           .Append(" AND next_run_at <= ").Parameter(SqlType.Timestamp, now).Append(" ORDER BY next_run_at").Append(tx.Dialect.ClaimLock);
        var schedules = new List<Schedule>();
        await using (var command = tx.CreateCommand(due))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                schedules.Add(Read(reader, tx.Dialect));
            }
        }

        foreach (var schedule in schedules)
        {
            var (job, _) = await jobs.EnqueueAsync(tx, ScheduledJob.Request(schedule), cancellationToken);
            var next = new SqlBuilder(tx.Dialect);
            next.Append($"UPDATE \"{JobTables.Schedules}\" SET next_run_at = ").Parameter(SqlType.Timestamp, schedule.NextAfter(now))
                .Append(", last_run_at = ").Parameter(SqlType.Timestamp, now).Append(", last_job_id = ").Parameter(SqlType.Text, job.Id)
                .Append(" WHERE name = ").Parameter(SqlType.Text, schedule.Name);
            await tx.ExecuteAsync(next, cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return schedules.Count;
    }

    private async Task<List<Schedule>> QueryAsync(SqlBuilder sql, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        await using var command = sql.CreateCommand(connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var schedules = new List<Schedule>();
        while (await reader.ReadAsync(cancellationToken))
        {
            schedules.Add(Read(reader, database.Dialect));
        }

        return schedules;
    }

    private static Schedule Read(DbDataReader reader, ISqlDialect dialect) => new(
        reader.GetString(0),
        CronExpression.Parse(reader.GetString(1)),
        reader.GetString(2),
        reader.GetString(3),
        (bool)dialect.Read(reader, 4, SqlType.Boolean)!,
        (DateTime?)dialect.Read(reader, 5, SqlType.Timestamp),
        (DateTime?)dialect.Read(reader, 6, SqlType.Timestamp),
        reader.IsDBNull(7) ? null : reader.GetString(7),
        (DateTime)dialect.Read(reader, 8, SqlType.Timestamp)!,
        (DateTime)dialect.Read(reader, 9, SqlType.Timestamp)!);
}
