using Fundament.Jobs;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Server;

/// <summary><c>fundament jobs list|retry|purge|stats</c> against a data directory a stopped server left behind.</summary>
[Collection(nameof(ConsoleCollection))]
public sealed class JobsCliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fundament-cli", Guid.NewGuid().ToString("N"));

    private Task<(int Exit, string Output)> RunAsync(params string[] args) => CliRunner.RunAsync(_dir, args);

    [Fact]
    public async Task Jobs_are_listed_replayed_and_purged()
    {
        string deadId, doneId;
        await using (var app = await TestApp.StartAsync(DbKind.Sqlite, new Dictionary<string, string?> { ["Fundament:JobWorkers"] = "false" }, _dir))
        {
            var store = app.Get<JobStore>();
            var dead = (await store.EnqueueAsync(new JobRequest("http", """{"url":"http://127.0.0.1:9/"}""") { MaxAttempts = 1 }, default)).Job;
            var claimed = Assert.Single(await store.ClaimAsync("default", 1, "cli-test", TimeSpan.FromMinutes(1), default));
            Assert.Equal(JobStates.Dead, await store.CompleteAsync(claimed, "cli-test", new AttemptOutcome(false, "connection refused", null, null), default));
            var done = (await store.EnqueueAsync(new JobRequest("http", """{"url":"http://127.0.0.1:9/"}""") { Queue = "other" }, default)).Job;
            var second = Assert.Single(await store.ClaimAsync("other", 1, "cli-test", TimeSpan.FromMinutes(1), default));
            Assert.Equal(JobStates.Succeeded, await store.CompleteAsync(second, "cli-test", new AttemptOutcome(true, null, 200, null), default));
            (deadId, doneId) = (dead.Id, done.Id);
        }

        var (exit, list) = await RunAsync("jobs", "list", "--state", "dead");
        Assert.Equal(0, exit);
        Assert.Contains(deadId, list);
        Assert.Contains("connection refused", list);
        Assert.DoesNotContain(doneId, list);

        var (statsExit, stats) = await RunAsync("jobs", "stats");
        Assert.Equal(0, statsExit);
        Assert.Contains("other", stats);
        Assert.Contains("Last hour: 2 attempts, 1 failed.", stats);

        Assert.Equal(1, (await RunAsync("jobs", "list", "--state", "lost")).Exit);
        Assert.Equal(1, (await RunAsync("jobs", "retry", doneId)).Exit);
        Assert.Equal(1, (await RunAsync("jobs", "retry", Guid.CreateVersion7().ToString())).Exit);
        Assert.Equal(1, (await RunAsync("jobs", "retry")).Exit);
        var (retried, retryOutput) = await RunAsync("jobs", "retry", deadId);
        Assert.Equal(0, retried);
        Assert.Contains("pending again", retryOutput);
        Assert.Contains(deadId, (await RunAsync("jobs", "list", "--state", "pending")).Output);

        Assert.Equal(1, (await RunAsync("jobs", "purge", "--state", "pending")).Exit);
        Assert.Equal(1, (await RunAsync("jobs", "purge", "--older-than", "soon")).Exit);
        var (kept, keptOutput) = await RunAsync("jobs", "purge", "--older-than", "7d");
        Assert.Equal(0, kept);
        Assert.Contains("Deleted 0 job(s).", keptOutput);
        var (purged, purgeOutput) = await RunAsync("jobs", "purge");
        Assert.Equal(0, purged);
        Assert.Contains("Deleted 1 job(s).", purgeOutput);
        Assert.DoesNotContain(doneId, (await RunAsync("jobs", "list")).Output);
    }

    [Fact]
    public async Task Every_dead_job_can_be_replayed_at_once()
    {
        await using (var app = await TestApp.StartAsync(DbKind.Sqlite, new Dictionary<string, string?> { ["Fundament:JobWorkers"] = "false" }, _dir))
        {
            var store = app.Get<JobStore>();
            for (int i = 0; i < 3; i++)
            {
                await store.EnqueueAsync(new JobRequest("http", """{"url":"http://127.0.0.1:9/"}""") { MaxAttempts = 1 }, default);
            }

            foreach (var claimed in await store.ClaimAsync("default", 3, "cli-test", TimeSpan.FromMinutes(1), default))
            {
                await store.CompleteAsync(claimed, "cli-test", new AttemptOutcome(false, "down", null, null), default);
            }
        }

        var (exit, output) = await RunAsync("jobs", "retry", "--all-dead");
        Assert.Equal(0, exit);
        Assert.Contains("Put 3 dead job(s) back in the queue.", output);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}
