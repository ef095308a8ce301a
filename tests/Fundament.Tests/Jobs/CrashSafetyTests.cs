using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fundament.Jobs;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Jobs;

/// <summary>
/// Kills a real server process (SIGKILL) while jobs run, starts it again on the same database, and
/// checks the queue's promise: every job finishes, none is lost, and only jobs whose worker died
/// mid-run are delivered twice.
/// </summary>
public abstract class CrashSafetyTests(DbKind kind)
{
    private const int JobCount = 60;

    [Fact]
    public async Task A_killed_server_loses_no_job_and_repeats_only_the_interrupted_ones()
    {
        string dir = Path.Combine(Path.GetTempPath(), "fundament-crash", Guid.NewGuid().ToString("N"));
        var environment = new Dictionary<string, string>
        {
            ["FUNDAMENT_JOB_LEASE_SECONDS"] = "2",
            ["FUNDAMENT_JOB_POLL_MILLISECONDS"] = "100",
            ["FUNDAMENT_JOB_CONCURRENCY"] = "8",
        };
        if (kind == DbKind.Postgres)
        {
            environment["FUNDAMENT_DB"] = await PostgresCluster.CreateDatabaseAsync();
        }

        await using var receiver = await Receiver.StartAsync();
        receiver.Delay = TimeSpan.FromMilliseconds(150);
        var ids = new List<string>();
        try
        {
            await using (var first = await ServerProcess.StartAsync(dir, environment))
            {
                for (int i = 0; i < JobCount; i++)
                {
                    using var response = await first.Client.PostAsJsonAsync("/api/jobs", new
                    {
                        type = "http",
                        payload = new { url = receiver.Url($"/job/{i}") },
                        maxAttempts = 10,
                        backoff = new { initialMs = 10, maxMs = 200 },
                    });
                    Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                    ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").GetProperty("id").GetString()!);
                }

                await Eventually.TrueAsync(() => receiver.Requests.Count >= JobCount / 4, "the first server did not start working");
                await first.KillAsync();
            }

            int beforeRestart = receiver.Requests.Count;
            Assert.True(beforeRestart < JobCount, "every job finished before the kill; the test proves nothing");

            await using var second = await ServerProcess.StartAsync(dir, environment);
            var jobs = new Dictionary<string, JsonElement>();
            await Eventually.TrueAsync(async () =>
            {
                foreach (string id in ids.Where(id => !jobs.ContainsKey(id)))
                {
                    var job = (await second.Client.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}")).GetProperty("data");
                    if (JobStates.IsFinished(job.GetProperty("state").GetString()!))
                    {
                        jobs[id] = job.Clone();
                    }
                }

                return jobs.Count == JobCount;
            }, "not every job finished after the restart");

            var deliveries = receiver.Requests.GroupBy(r => r.Headers["webhook-id"]).ToDictionary(g => g.Key, g => g.Count());
            foreach (string id in ids)
            {
                var job = jobs[id];
                Assert.Equal("succeeded", job.GetProperty("state").GetString());
                Assert.True(deliveries.TryGetValue(id, out int count), $"job {id} never reached the receiver");
                bool interrupted = job.GetProperty("attemptLog").EnumerateArray()
                    .Any(a => a.GetProperty("error").GetString() == JobStore.LeaseExpiredError);
                Assert.True(count == 1 || interrupted, $"job {id} was delivered {count} times without an interrupted attempt");
            }

            Assert.Contains(jobs.Values, j => j.GetProperty("attemptLog").EnumerateArray()
                .Any(a => a.GetProperty("error").GetString() == JobStore.LeaseExpiredError));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

[Collection(nameof(Server.ConsoleCollection))]
public sealed class CrashSafetyTests_Sqlite() : CrashSafetyTests(DbKind.Sqlite);

[Collection(nameof(Server.ConsoleCollection))]
public sealed class CrashSafetyTests_Postgres() : CrashSafetyTests(DbKind.Postgres);
