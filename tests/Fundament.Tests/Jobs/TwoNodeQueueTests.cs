using System.Data.Common;
using Fundament.Data;
using Fundament.Jobs;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Jobs;

/// <summary>
/// Two <c>fundament serve</c> processes share one PostgreSQL queue: 10,000 jobs, each claimed by
/// exactly one of them (FOR UPDATE SKIP LOCKED), each delivered once.
/// </summary>
[Collection(nameof(Server.ConsoleCollection))]
public sealed class TwoNodeQueueTests
{
    private const int JobCount = 10_000;

    [Fact]
    public async Task Two_nodes_claim_every_job_exactly_once()
    {
        string database = await PostgresCluster.CreateDatabaseAsync();
        string dir = Path.Combine(Path.GetTempPath(), "fundament-two-nodes", Guid.NewGuid().ToString("N"));
        await using var receiver = await Receiver.StartAsync();
        try
        {
            // The in-process app migrates the database and enqueues; it runs no workers itself.
            await using var app = await TestApp.StartAsync(DbKind.Postgres, new Dictionary<string, string?>
            {
                ["Fundament:Database"] = database,
                ["Fundament:JobWorkers"] = "false",
            }, Path.Combine(dir, "enqueuer"));
            var environment = new Dictionary<string, string>
            {
                ["FUNDAMENT_DB"] = database,
                ["FUNDAMENT_JOB_CONCURRENCY"] = "16",
                ["FUNDAMENT_JOB_POLL_MILLISECONDS"] = "100",
                ["Logging__LogLevel__Default"] = "Warning",
            };
            await using var first = await ServerProcess.StartAsync(Path.Combine(dir, "a"), environment);
            await using var second = await ServerProcess.StartAsync(Path.Combine(dir, "b"), environment);

            var store = app.Get<JobStore>();
            var db = app.Get<Database>();
            for (int batch = 0; batch < JobCount / 500; batch++)
            {
                await using var tx = await db.BeginWriteAsync(default);
                for (int i = 0; i < 500; i++)
                {
                    await store.EnqueueAsync(tx, new JobRequest("http", $$"""{"url":"{{receiver.Url($"/n/{batch * 500 + i}")}}"}"""), default);
                }

                await tx.CommitAsync(default);
            }

            var deadline = DateTime.UtcNow.AddMinutes(4);
            while (await ScalarAsync(db, $"SELECT COUNT(*) FROM \"{JobTables.Jobs}\" WHERE state = '{JobStates.Succeeded}'") < JobCount)
            {
                Assert.True(DateTime.UtcNow < deadline, $"not every job finished; first node:\n{first.Output}\nsecond node:\n{second.Output}");
                await Task.Delay(250);
            }

            Assert.Equal(JobCount, await ScalarAsync(db, $"SELECT COUNT(*) FROM \"{JobTables.Attempts}\""));
            Assert.Equal(0, await ScalarAsync(db, $"SELECT COUNT(*) FROM \"{JobTables.Jobs}\" WHERE attempt_count <> 1"));
            long nodes = await ScalarAsync(db, $"SELECT COUNT(DISTINCT node) FROM \"{JobTables.Attempts}\"");
            long smallest = await ScalarAsync(db, $"SELECT MIN(n) FROM (SELECT COUNT(*) AS n FROM \"{JobTables.Attempts}\" GROUP BY node) AS per_node");
            Assert.Equal(2, nodes);
            Assert.True(smallest > 0);

            var deliveries = receiver.Requests.GroupBy(r => r.Headers["webhook-id"]).ToList();
            Assert.Equal(JobCount, deliveries.Count);
            Assert.All(deliveries, d => Assert.Single(d));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<long> ScalarAsync(Database database, string sql)
    {
        await using var connection = await database.OpenReadAsync(default);
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
