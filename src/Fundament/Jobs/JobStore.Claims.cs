using Fundament.Data;

namespace Fundament.Jobs;

/// <summary>A job a worker holds: which attempt this is, and until when its lease runs.</summary>
public sealed record ClaimedJob(Job Job, int AttemptNumber);

/// <summary>How an attempt ended, as the worker reports it.</summary>
public sealed record AttemptOutcome(bool Ok, string? Error, int? Status, string? Excerpt, bool Permanent = false);

public sealed partial class JobStore
{
    public const string LeaseExpiredError = "lease expired: the worker stopped before finishing";

    /// <summary>The queues that have due jobs now.</summary>
    public async Task<List<string>> ListDueQueuesAsync(CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(database.Dialect);
        sql.Append($"SELECT DISTINCT queue FROM \"{JobTables.Jobs}\" WHERE state IN ('{JobStates.Pending}', '{JobStates.Retrying}') AND run_at <= ")
           .Parameter(SqlType.Timestamp, Timestamps.Now(clock));
        await using var connection = await database.OpenReadAsync(cancellationToken);
        await using var command = sql.CreateCommand(connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var queues = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            queues.Add(reader.GetString(0));
        }

        return queues;
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> due jobs of one queue for <paramref name="node"/>: highest
    /// priority first, then oldest. On PostgreSQL rows other nodes are claiming are skipped, so no job
    /// is claimed twice; each claim opens a row in the attempt log.
    /// </summary>
    public async Task<List<ClaimedJob>> ClaimAsync(string queue, int limit, string node, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var now = Timestamps.Now(clock);
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"UPDATE \"{JobTables.Jobs}\" SET state = '{JobStates.Running}', attempts = attempts + 1, attempt_count = attempt_count + 1, lease_owner = ")
           .Parameter(SqlType.Text, node).Append(", lease_until = ").Parameter(SqlType.Timestamp, now + lease)
           .Append(", updated_at = ").Parameter(SqlType.Timestamp, now)
           .Append($" WHERE id IN (SELECT id FROM \"{JobTables.Jobs}\" WHERE queue = ").Parameter(SqlType.Text, queue)
           .Append($" AND state IN ('{JobStates.Pending}', '{JobStates.Retrying}') AND run_at <= ").Parameter(SqlType.Timestamp, now)
           .Append(" ORDER BY priority DESC, run_at, id LIMIT ").Parameter(SqlType.Integer, (long)limit).Append(tx.Dialect.ClaimLock)
           .Append($") RETURNING {Columns}, attempt_count");
        var claimed = new List<ClaimedJob>();
        await using (var command = tx.CreateCommand(sql))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                claimed.Add(new ClaimedJob(Read(reader, tx.Dialect), (int)reader.GetInt64(17)));
            }
        }

        foreach (var job in claimed)
        {
            var attempt = new SqlBuilder(tx.Dialect);
            attempt.Append($"INSERT INTO \"{JobTables.Attempts}\" (job_id, attempt, started_at, node) VALUES (")
                   .Parameter(SqlType.Text, job.Job.Id).Append(", ").Parameter(SqlType.Integer, (long)job.AttemptNumber).Append(", ")
                   .Parameter(SqlType.Timestamp, now).Append(", ").Parameter(SqlType.Text, node).Append(')');
            await tx.ExecuteAsync(attempt, cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return claimed;
    }

    /// <summary>Extends a lease; false when the worker no longer holds the job (cancelled, or reclaimed after expiry).</summary>
    public async Task<bool> RenewLeaseAsync(ClaimedJob claimed, string node, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"UPDATE \"{JobTables.Jobs}\" SET lease_until = ").Parameter(SqlType.Timestamp, Timestamps.Now(clock) + lease);
        Held(sql, claimed, node);
        bool held = await tx.ExecuteAsync(sql, cancellationToken) == 1;
        await tx.CommitAsync(cancellationToken);
        return held;
    }

    /// <summary>
    /// Records how an attempt ended: success, a retry after backoff, or the dead-letter state once the
    /// attempts are spent (or the failure is permanent). Ignored when the worker lost the job meanwhile.
    /// </summary>
    public async Task<string?> CompleteAsync(ClaimedJob claimed, string node, AttemptOutcome outcome, CancellationToken cancellationToken)
    {
        var job = claimed.Job;
        var now = Timestamps.Now(clock);
        string state = outcome.Ok ? JobStates.Succeeded
            : outcome.Permanent || job.Attempts >= job.MaxAttempts ? JobStates.Dead
            : JobStates.Retrying;
        var runAt = state == JobStates.Retrying ? now + job.Backoff.Delay(job.Attempts, Random.Shared) : job.RunAt;
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append("UPDATE \"").Append(JobTables.Jobs).Append("\" SET state = ").Parameter(SqlType.Text, state)
           .Append(", lease_owner = NULL, lease_until = NULL, last_error = ").Parameter(SqlType.Text, outcome.Ok ? null : outcome.Error)
           .Append(", run_at = ").Parameter(SqlType.Timestamp, Timestamps.Truncate(runAt)).Append(", updated_at = ").Parameter(SqlType.Timestamp, now);
        Held(sql, claimed, node);
        if (await tx.ExecuteAsync(sql, cancellationToken) == 0)
        {
            return null;
        }

        var attempt = new SqlBuilder(tx.Dialect);
        attempt.Append($"UPDATE \"{JobTables.Attempts}\" SET finished_at = ").Parameter(SqlType.Timestamp, now)
               .Append(", ok = ").Parameter(SqlType.Boolean, outcome.Ok).Append(", error = ").Parameter(SqlType.Text, outcome.Error)
               .Append(", status = ").Parameter(SqlType.Integer, (long?)outcome.Status).Append(", excerpt = ").Parameter(SqlType.Text, outcome.Excerpt)
               .Append(" WHERE job_id = ").Parameter(SqlType.Text, job.Id).Append(" AND attempt = ").Parameter(SqlType.Integer, (long)claimed.AttemptNumber);
        await tx.ExecuteAsync(attempt, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        if (state == JobStates.Retrying)
        {
            signal.NotifyAt(runAt);
        }

        return state;
    }

    /// <summary>Hands an unfinished job back on shutdown, as if this attempt never started.</summary>
    public async Task ReleaseAsync(ClaimedJob claimed, string node, CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var now = Timestamps.Now(clock);
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"UPDATE \"{JobTables.Jobs}\" SET state = CASE WHEN attempts > 1 THEN '{JobStates.Retrying}' ELSE '{JobStates.Pending}' END, ")
           .Append("attempts = attempts - 1, attempt_count = attempt_count - 1, lease_owner = NULL, lease_until = NULL, run_at = ")
           .Parameter(SqlType.Timestamp, now).Append(", updated_at = ").Parameter(SqlType.Timestamp, now);
        Held(sql, claimed, node);
        if (await tx.ExecuteAsync(sql, cancellationToken) == 1)
        {
            var attempt = new SqlBuilder(tx.Dialect);
            attempt.Append($"DELETE FROM \"{JobTables.Attempts}\" WHERE job_id = ").Parameter(SqlType.Text, claimed.Job.Id)
                   .Append(" AND attempt = ").Parameter(SqlType.Integer, (long)claimed.AttemptNumber);
            await tx.ExecuteAsync(attempt, cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Finds running jobs whose lease ran out (their worker died or hung) and makes them due again,
    /// or dead when that was their last attempt. This is what makes delivery at-least-once.
    /// </summary>
    public async Task<int> RecoverExpiredLeasesAsync(CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var now = Timestamps.Now(clock);
        var attempts = new SqlBuilder(tx.Dialect);
        attempts.Append($"UPDATE \"{JobTables.Attempts}\" SET finished_at = ").Parameter(SqlType.Timestamp, now)
                .Append(", ok = ").Parameter(SqlType.Boolean, false).Append(", error = ").Parameter(SqlType.Text, LeaseExpiredError)
                .Append($" WHERE finished_at IS NULL AND job_id IN (SELECT id FROM \"{JobTables.Jobs}\" WHERE state = '{JobStates.Running}' AND lease_until < ")
                .Parameter(SqlType.Timestamp, now).Append(')');
        await tx.ExecuteAsync(attempts, cancellationToken);
        var jobs = new SqlBuilder(tx.Dialect);
        jobs.Append($"UPDATE \"{JobTables.Jobs}\" SET state = CASE WHEN attempts >= max_attempts THEN '{JobStates.Dead}' ELSE '{JobStates.Retrying}' END, ")
            .Append("lease_owner = NULL, lease_until = NULL, last_error = ").Parameter(SqlType.Text, LeaseExpiredError)
            .Append(", run_at = ").Parameter(SqlType.Timestamp, now).Append(", updated_at = ").Parameter(SqlType.Timestamp, now)
            .Append($" WHERE state = '{JobStates.Running}' AND lease_until < ").Parameter(SqlType.Timestamp, now);
        int recovered = await tx.ExecuteAsync(jobs, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return recovered;
    }

    private static void Held(SqlBuilder sql, ClaimedJob claimed, string node) =>
        sql.Append(" WHERE id = ").Parameter(SqlType.Text, claimed.Job.Id).Append(" AND lease_owner = ").Parameter(SqlType.Text, node)
           .Append($" AND state = '{JobStates.Running}' AND attempt_count = ").Parameter(SqlType.Integer, (long)claimed.AttemptNumber);
}
