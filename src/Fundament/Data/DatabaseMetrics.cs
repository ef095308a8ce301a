using System.Data;
using System.Data.Common;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Fundament.Data;

/// <summary>
/// Connection and transaction figures on the <c>Fundament.Data</c> meter: how long callers wait for a
/// connection (on SQLite the write wait is the queue for the single writer), how long reads and write
/// transactions hold one, and how many are in use. PostgreSQL adds Npgsql's own <c>Npgsql</c> meter.
/// </summary>
public sealed class DatabaseMetrics
{
    public const string MeterName = "Fundament.Data";

    // Most reads and commits take well under a millisecond on SQLite; the default buckets start at 5 ms.
    private static readonly double[] Buckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
    private static readonly KeyValuePair<string, object?> Read = new("kind", "read");
    private static readonly KeyValuePair<string, object?> Write = new("kind", "write");
    private static readonly KeyValuePair<string, object?> Committed = new("outcome", "commit");
    private static readonly KeyValuePair<string, object?> RolledBack = new("outcome", "rollback");

    private readonly Histogram<double> _wait;
    private readonly Histogram<double> _read;
    private readonly Histogram<double> _transaction;
    private readonly UpDownCounter<long> _active;

    public DatabaseMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets };
        _wait = meter.CreateHistogram("fundament.db.connection.wait", "s",
            "Time to get a connection (kind: read from the pool; write: the single writer on SQLite, the pool on PostgreSQL)", advice: advice);
        _read = meter.CreateHistogram("fundament.db.read.duration", "s", "Time a read held its connection: the queries of one read", advice: advice);
        _transaction = meter.CreateHistogram("fundament.db.transaction.duration", "s", "Time a write transaction held its connection (outcome: commit, rollback)", advice: advice);
        _active = meter.CreateUpDownCounter<long>("fundament.db.connections.active", "{connection}", "Connections in use (kind: read, write)");
    }

    internal void ReadOpened(DbConnection connection, long requestedAt)
    {
        long now = Stopwatch.GetTimestamp();
        _wait.Record(Stopwatch.GetElapsedTime(requestedAt, now).TotalSeconds, Read);
        _active.Add(1, Read);
        // The caller disposes the connection; its close event is the one place that sees the end of the read.
        connection.StateChange += new ReadTracker(this, now).OnStateChange;
    }

    internal void WriteStarted(long requestedAt)
    {
        _wait.Record(Stopwatch.GetElapsedTime(requestedAt).TotalSeconds, Write);
        _active.Add(1, Write);
    }

    internal void WriteEnded(long startedAt, bool committed)
    {
        _transaction.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, committed ? Committed : RolledBack);
        _active.Add(-1, Write);
    }

    private sealed class ReadTracker(DatabaseMetrics metrics, long openedAt)
    {
        public void OnStateChange(object? sender, StateChangeEventArgs change)
        {
            if (change.CurrentState == ConnectionState.Closed && sender is DbConnection connection)
            {
                connection.StateChange -= OnStateChange;
                metrics._read.Record(Stopwatch.GetElapsedTime(openedAt).TotalSeconds);
                metrics._active.Add(-1, Read);
            }
        }
    }
}
