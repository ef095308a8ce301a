using System.Data.Common;
using Fundament.Data;
using Fundament.Toolkit;

namespace Fundament.Jobs;

/// <summary>
/// The SQL of the queue: enqueue, read, cancel, retry and purge here; claiming, leases and
/// outcomes in <c>JobStore.Claims.cs</c>. Works on SQLite and PostgreSQL alike.
/// </summary>
public sealed partial class JobStore(Database database, TimeProvider clock, JobSignal signal, JobMetrics metrics)
{
    private const string Columns =
        "id, type, queue, priority, payload, state, attempts, max_attempts, timeout_seconds, backoff_initial_ms, backoff_max_ms, " +
        "run_at, idempotency_key, last_error, schedule, created_at, updated_at";

    public Database Database => database;

    /// <summary>Enqueues a job in its own transaction; see <see cref="EnqueueAsync(WriteTransaction, JobRequest, CancellationToken)"/>.</summary>
    public async Task<(Job Job, bool Created)> EnqueueAsync(JobRequest request, CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var result = await EnqueueAsync(tx, request, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>
    /// Enqueues a job inside the caller's transaction, so it exists only if the caller's change commits.
    /// With an idempotency key that is already taken, returns the existing job and <c>Created = false</c>.
    /// </summary>
    public async Task<(Job Job, bool Created)> EnqueueAsync(WriteTransaction tx, JobRequest request, CancellationToken cancellationToken)
    {
        var now = Timestamps.Now(clock);
        var job = new Job(Uuids.NewV7(), request.Type, request.Queue, request.Priority, request.Payload, JobStates.Pending, 0,
            request.MaxAttempts, request.TimeoutSeconds, request.Backoff, request.RunAt is { } at ? Timestamps.Truncate(at) : now,
            request.IdempotencyKey, null, request.Schedule, now, now);
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"INSERT INTO \"{JobTables.Jobs}\" ({Columns}, attempt_count) VALUES (")
           .Parameter(SqlType.Text, job.Id).Append(", ").Parameter(SqlType.Text, job.Type).Append(", ")
           .Parameter(SqlType.Text, job.Queue).Append(", ").Parameter(SqlType.Integer, (long)job.Priority).Append(", ")
           .Parameter(SqlType.Text, job.Payload).Append(", ").Parameter(SqlType.Text, job.State).Append(", 0, ")
           .Parameter(SqlType.Integer, (long)job.MaxAttempts).Append(", ").Parameter(SqlType.Integer, (long)job.TimeoutSeconds).Append(", ")
           .Parameter(SqlType.Integer, job.Backoff.InitialMs).Append(", ").Parameter(SqlType.Integer, job.Backoff.MaxMs).Append(", ")
           .Parameter(SqlType.Timestamp, job.RunAt).Append(", ").Parameter(SqlType.Text, job.IdempotencyKey).Append(", NULL, ")
           .Parameter(SqlType.Text, job.Schedule).Append(", ").Parameter(SqlType.Timestamp, now).Append(", ")
           .Parameter(SqlType.Timestamp, now).Append(", 0) ON CONFLICT (idempotency_key) DO NOTHING");
        if (await tx.ExecuteAsync(sql, cancellationToken) == 0)
        {
            var existing = new SqlBuilder(tx.Dialect);
            existing.Append($"SELECT {Columns} FROM \"{JobTables.Jobs}\" WHERE idempotency_key = ").Parameter(SqlType.Text, request.IdempotencyKey);
            await using var command = tx.CreateCommand(existing);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return (Read(reader, tx.Dialect), false);
        }

        tx.OnCommitted(() =>
        {
            metrics.Enqueued(job.Type, job.Queue);
            signal.Notify();
        });
        return (job, true);
    }

    public async Task<Job?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(database.Dialect);
        sql.Append($"SELECT {Columns} FROM \"{JobTables.Jobs}\" WHERE id = ").Parameter(SqlType.Text, id);
        var jobs = await QueryAsync(sql, cancellationToken);
        return jobs.Count == 0 ? null : jobs[0];
    }

    /// <summary>Jobs newest first, optionally filtered; <paramref name="before"/> is the last id of the previous page.</summary>
    public Task<List<Job>> ListAsync(JobFilter filter, int limit, string? before, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(database.Dialect);
        sql.Append($"SELECT {Columns} FROM \"{JobTables.Jobs}\" WHERE 1 = 1");
        Where(sql, filter);
        if (before is not null)
        {
            sql.Append(" AND id < ").Parameter(SqlType.Text, before);
        }

        sql.Append(" ORDER BY id DESC LIMIT ").Parameter(SqlType.Integer, (long)limit);
        return QueryAsync(sql, cancellationToken);
    }

    public async Task<List<JobAttempt>> ListAttemptsAsync(string jobId, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(database.Dialect);
        sql.Append($"SELECT attempt, started_at, finished_at, ok, error, status, excerpt, node FROM \"{JobTables.Attempts}\" WHERE job_id = ")
           .Parameter(SqlType.Text, jobId).Append(" ORDER BY attempt");
        await using var connection = await database.OpenReadAsync(cancellationToken);
        await using var command = sql.CreateCommand(connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var dialect = database.Dialect;
        var attempts = new List<JobAttempt>();
        while (await reader.ReadAsync(cancellationToken))
        {
            attempts.Add(new JobAttempt(
                (int)reader.GetInt64(0),
                (DateTime)dialect.Read(reader, 1, SqlType.Timestamp)!,
                (DateTime?)dialect.Read(reader, 2, SqlType.Timestamp),
                (bool?)dialect.Read(reader, 3, SqlType.Boolean),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : (int)reader.GetInt64(5),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7)));
        }

        return attempts;
    }

    /// <summary>Cancels a job that has not finished; a running one loses its lease and its worker stops.</summary>
    public async Task<JobChange> CancelAsync(string id, CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var now = Timestamps.Now(clock);
        var attempt = new SqlBuilder(tx.Dialect);
        attempt.Append($"UPDATE \"{JobTables.Attempts}\" SET finished_at = ").Parameter(SqlType.Timestamp, now)
               .Append(", ok = ").Parameter(SqlType.Boolean, false).Append(", error = 'cancelled' WHERE finished_at IS NULL AND job_id = ")
               .Parameter(SqlType.Text, id);
        await tx.ExecuteAsync(attempt, cancellationToken);
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"UPDATE \"{JobTables.Jobs}\" SET state = '{JobStates.Cancelled}', lease_owner = NULL, lease_until = NULL, updated_at = ")
           .Parameter(SqlType.Timestamp, now).Append(" WHERE id = ").Parameter(SqlType.Text, id)
           .Append($" AND state IN ('{JobStates.Pending}', '{JobStates.Retrying}', '{JobStates.Running}')");
        return await ChangeAsync(tx, sql, id, cancellationToken);
    }

    /// <summary>Puts a dead or cancelled job back to pending with a fresh budget of attempts; its attempt log stays.</summary>
    public async Task<JobChange> RetryAsync(string id, CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var now = Timestamps.Now(clock);
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"UPDATE \"{JobTables.Jobs}\" SET state = '{JobStates.Pending}', attempts = 0, run_at = ").Parameter(SqlType.Timestamp, now)
           .Append(", updated_at = ").Parameter(SqlType.Timestamp, now).Append(" WHERE id = ").Parameter(SqlType.Text, id)
           .Append($" AND state IN ('{JobStates.Dead}', '{JobStates.Cancelled}')");
        var change = await ChangeAsync(tx, sql, id, cancellationToken);
        if (change.Changed)
        {
            tx.OnCommitted(signal.Notify);
        }

        return change;
    }

    /// <summary>Deletes finished jobs (and their attempt logs) in the given states last changed before <paramref name="before"/>.</summary>
    public async Task<int> PurgeAsync(IReadOnlyCollection<string> states, DateTime before, CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"DELETE FROM \"{JobTables.Jobs}\" WHERE updated_at < ").Parameter(SqlType.Timestamp, before).Append(" AND state IN (");
        bool first = true;
        foreach (var state in states.Where(JobStates.IsFinished))
        {
            sql.Append(first ? "" : ", ").Parameter(SqlType.Text, state);
            first = false;
        }

        if (first)
        {
            return 0;
        }

        sql.Append(')');
        int deleted = await tx.ExecuteAsync(sql, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return deleted;
    }

    private async Task<JobChange> ChangeAsync(WriteTransaction tx, SqlBuilder update, string id, CancellationToken cancellationToken)
    {
        bool changed = await tx.ExecuteAsync(update, cancellationToken) == 1;
        var read = new SqlBuilder(tx.Dialect);
        read.Append($"SELECT {Columns} FROM \"{JobTables.Jobs}\" WHERE id = ").Parameter(SqlType.Text, id);
        Job? job = null;
        await using (var command = tx.CreateCommand(read))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                job = Read(reader, tx.Dialect);
            }
        }

        await tx.CommitAsync(cancellationToken);
        return new JobChange(job, changed);
    }

    private static void Where(SqlBuilder sql, JobFilter filter)
    {
        if (filter.State is not null)
        {
            sql.Append(" AND state = ").Parameter(SqlType.Text, filter.State);
        }

        if (filter.Type is not null)
        {
            sql.Append(" AND type = ").Parameter(SqlType.Text, filter.Type);
        }

        if (filter.Queue is not null)
        {
            sql.Append(" AND queue = ").Parameter(SqlType.Text, filter.Queue);
        }
    }

    private async Task<List<Job>> QueryAsync(SqlBuilder sql, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        await using var command = sql.CreateCommand(connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var jobs = new List<Job>();
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add(Read(reader, database.Dialect));
        }

        return jobs;
    }

    private static Job Read(DbDataReader reader, ISqlDialect dialect) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        (int)reader.GetInt64(3),
        reader.GetString(4),
        reader.GetString(5),
        (int)reader.GetInt64(6),
        (int)reader.GetInt64(7),
        (int)reader.GetInt64(8),
        new Backoff(reader.GetInt64(9), reader.GetInt64(10)),
        (DateTime)dialect.Read(reader, 11, SqlType.Timestamp)!,
        reader.IsDBNull(12) ? null : reader.GetString(12),
        reader.IsDBNull(13) ? null : reader.GetString(13),
        reader.IsDBNull(14) ? null : reader.GetString(14),
        (DateTime)dialect.Read(reader, 15, SqlType.Timestamp)!,
        (DateTime)dialect.Read(reader, 16, SqlType.Timestamp)!);
}

/// <summary>Optional filters for listing jobs.</summary>
public sealed record JobFilter(string? State = null, string? Type = null, string? Queue = null);

/// <summary>The job after a state change, and whether the change applied (false when the job was in the wrong state).</summary>
public sealed record JobChange(Job? Job, bool Changed);
