using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Fundament.Jobs;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Jobs;

/// <summary>Test job types whose behaviour each test steers: succeed, fail N times, block, or fail for good.</summary>
public sealed class TestJobs
{
    public ConcurrentDictionary<string, int> Runs { get; } = new();

    public ConcurrentDictionary<string, int> FailuresLeft { get; } = new();

    /// <summary>Registers <c>test.ok</c>, <c>test.flaky</c> (fails while <see cref="FailuresLeft"/> says so), <c>test.block</c> and <c>test.fatal</c>.</summary>
    public void Register(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder)
    {
        builder.AddJobHandler("test.ok", (job, _) =>
        {
            Runs.AddOrUpdate(job.Job.Id, 1, (_, n) => n + 1);
            job.Status = 200;
            job.Excerpt = job.Payload.TryGetProperty("n", out var n) ? "ran " + n.GetInt32() : "ran";
            return Task.CompletedTask;
        });
        builder.AddJobHandler("test.flaky", (job, _) =>
        {
            Runs.AddOrUpdate(job.Job.Id, 1, (_, n) => n + 1);
            string key = job.Payload.GetProperty("key").GetString()!;
            if (FailuresLeft.AddOrUpdate(key, -1, (_, n) => n - 1) >= 0)
            {
                throw new InvalidOperationException($"boom {Runs[job.Job.Id]}");
            }

            return Task.CompletedTask;
        });
        builder.AddJobHandler("test.block", async (job, ct) =>
        {
            Runs.AddOrUpdate(job.Job.Id, 1, (_, n) => n + 1);
            await Task.Delay(Timeout.Infinite, ct);
        });
        builder.AddJobHandler("test.fatal", (_, _) => throw new JobFailedException("bad payload", permanent: true, status: 400));
    }

    public static async Task<JsonElement> EnqueueAsync(TestApp app, object request, HttpStatusCode expected = HttpStatusCode.Created)
    {
        var json = await app.Admin.PostAsync("/api/jobs", TestApp.JsonContent(JsonSerializer.Serialize(request))).ShouldBe(expected);
        return json.GetProperty("data").Clone();
    }

    /// <summary>Waits until every job of <paramref name="type"/> has finished (bounded: 15 s) and returns them.</summary>
    public static async Task<List<Job>> DrainAsync(TestApp app, string type)
    {
        var store = app.Get<JobStore>();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        List<Job> jobs;
        while ((jobs = await store.ListAsync(new JobFilter(Type: type), 500, null, CancellationToken.None)).Exists(j => !JobStates.IsFinished(j.State)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{type} jobs did not finish");
            await Task.Delay(20);
        }

        return jobs;
    }

    /// <summary>Polls a job until it reaches <paramref name="state"/> (bounded: 15 s).</summary>
    public static async Task<JsonElement> WaitForStateAsync(TestApp app, string id, string state)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        JsonElement job;
        do
        {
            job = (await app.Admin.GetAsync($"/api/jobs/{id}").ShouldBe(HttpStatusCode.OK)).GetProperty("data").Clone();
            if (job.GetProperty("state").GetString() == state)
            {
                return job;
            }

            await Task.Delay(25);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"job {id} did not reach {state}; last seen: {job}");
        return job;
    }
}
