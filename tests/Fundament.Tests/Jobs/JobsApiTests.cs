using System.Net;
using Fundament.Jobs;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Jobs;

public abstract class JobsApiTests(DbKind kind) : IAsyncLifetime
{
    private readonly TestJobs _jobs = new();
    private TestApp _app = null!;

    public async ValueTask InitializeAsync() => _app = await TestApp.StartAsync(kind, new Dictionary<string, string?>
    {
        ["Fundament:JobPollMilliseconds"] = "50",
        ["Fundament:JobLeaseSeconds"] = "3",
    }, configure: _jobs.Register);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_job_runs_and_its_attempt_is_logged()
    {
        var job = await TestJobs.EnqueueAsync(_app, new { type = "test.ok", payload = new { n = 1 } });
        Assert.Equal("pending", job.GetProperty("state").GetString());
        Assert.Equal("default", job.GetProperty("queue").GetString());
        Assert.Equal(5, job.GetProperty("maxAttempts").GetInt32());

        var done = await TestJobs.WaitForStateAsync(_app, job.GetProperty("id").GetString()!, "succeeded");
        var log = done.GetProperty("attemptLog");
        Assert.Equal(1, log.GetArrayLength());
        Assert.True(log[0].GetProperty("ok").GetBoolean());
        Assert.Equal(200, log[0].GetProperty("status").GetInt32());
        Assert.Equal("ran 1", log[0].GetProperty("excerpt").GetString());
        Assert.Equal(1, done.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task Failures_retry_with_backoff_then_dead_letter_with_every_error_and_replay_runs_again()
    {
        _jobs.FailuresLeft["a"] = 3;
        var job = await TestJobs.EnqueueAsync(_app, new
        {
            type = "test.flaky",
            payload = new { key = "a" },
            maxAttempts = 3,
            backoff = new { initialMs = 1, maxMs = 20 },
        });
        string id = job.GetProperty("id").GetString()!;
        var dead = await TestJobs.WaitForStateAsync(_app, id, "dead");
        var log = dead.GetProperty("attemptLog");
        Assert.Equal(3, log.GetArrayLength());
        for (int i = 0; i < 3; i++)
        {
            Assert.False(log[i].GetProperty("ok").GetBoolean());
            Assert.Equal($"InvalidOperationException: boom {i + 1}", log[i].GetProperty("error").GetString());
            Assert.Equal(i + 1, log[i].GetProperty("attempt").GetInt32());
        }

        Assert.Equal("InvalidOperationException: boom 3", dead.GetProperty("lastError").GetString());
        var deadList = await _app.Admin.GetAsync("/api/jobs?state=dead").ShouldBe(HttpStatusCode.OK);
        Assert.Contains(deadList.GetProperty("data").EnumerateArray(), j => j.GetProperty("id").GetString() == id);

        // The fourth run succeeds (the handler failed three times): replay it from the dead-letter state.
        var retried = await _app.Admin.PostAsync($"/api/jobs/{id}/retry", null).ShouldBe(HttpStatusCode.OK);
        Assert.Equal("pending", retried.GetProperty("data").GetProperty("state").GetString());
        var succeeded = await TestJobs.WaitForStateAsync(_app, id, "succeeded");
        Assert.Equal(4, succeeded.GetProperty("attemptLog").GetArrayLength());
        Assert.Equal(4, succeeded.GetProperty("attemptLog")[3].GetProperty("attempt").GetInt32());
        Assert.Equal(1, succeeded.GetProperty("attempts").GetInt32());
        await _app.Admin.PostAsync($"/api/jobs/{id}/retry", null).ShouldBe(HttpStatusCode.Conflict, "CONFLICT");
    }

    [Fact]
    public async Task A_permanent_failure_dead_letters_at_once()
    {
        var job = await TestJobs.EnqueueAsync(_app, new { type = "test.fatal" });
        var dead = await TestJobs.WaitForStateAsync(_app, job.GetProperty("id").GetString()!, "dead");
        Assert.Equal(1, dead.GetProperty("attemptLog").GetArrayLength());
        Assert.Equal(400, dead.GetProperty("attemptLog")[0].GetProperty("status").GetInt32());
        Assert.Equal("bad payload", dead.GetProperty("lastError").GetString());
    }

    [Fact]
    public async Task A_job_that_runs_past_its_timeout_fails()
    {
        var job = await TestJobs.EnqueueAsync(_app, new { type = "test.block", timeoutSeconds = 1, maxAttempts = 1 });
        var dead = await TestJobs.WaitForStateAsync(_app, job.GetProperty("id").GetString()!, "dead");
        Assert.Equal("timed out after 1 s", dead.GetProperty("lastError").GetString());
    }

    [Fact]
    public async Task The_same_idempotency_key_returns_the_first_job()
    {
        var first = await TestJobs.EnqueueAsync(_app, new { type = "test.ok", idempotencyKey = "order-42", delaySeconds = 3600 });
        var second = await TestJobs.EnqueueAsync(_app, new { type = "test.ok", idempotencyKey = "order-42", delaySeconds = 60 }, HttpStatusCode.OK);
        Assert.Equal(first.GetProperty("id").GetString(), second.GetProperty("id").GetString());
        Assert.Equal("{}", second.GetProperty("payload").GetRawText());
        Assert.Equal(0, second.GetProperty("attemptLog").GetArrayLength());
        var conflict = await _app.Admin.PostAsync("/api/jobs", TestApp.JsonContent("""{"type":"test.ok","idempotencyKey":"order-42","payload":{"other":true}}"""))
            .ShouldBe(HttpStatusCode.Conflict, "CONFLICT");
        Assert.Contains("idempotencyKey", conflict.DetailFields());
        var list = await _app.Admin.GetAsync("/api/jobs?type=test.ok").ShouldBe(HttpStatusCode.OK);
        Assert.Equal(1, list.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task Cancelling_stops_a_delayed_job_and_a_running_one()
    {
        var delayed = await TestJobs.EnqueueAsync(_app, new { type = "test.ok", delaySeconds = 3600 });
        string id = delayed.GetProperty("id").GetString()!;
        var cancelled = await _app.Admin.DeleteAsync($"/api/jobs/{id}").ShouldBe(HttpStatusCode.OK);
        Assert.Equal("cancelled", cancelled.GetProperty("data").GetProperty("state").GetString());
        await _app.Admin.DeleteAsync($"/api/jobs/{id}").ShouldBe(HttpStatusCode.Conflict, "CONFLICT");
        await Task.Delay(200);
        Assert.False(_jobs.Runs.ContainsKey(id));

        var running = await TestJobs.EnqueueAsync(_app, new { type = "test.block", timeoutSeconds = 60 });
        string runningId = running.GetProperty("id").GetString()!;
        await TestJobs.WaitForStateAsync(_app, runningId, "running");
        await _app.Admin.DeleteAsync($"/api/jobs/{runningId}").ShouldBe(HttpStatusCode.OK);
        var after = await TestJobs.WaitForStateAsync(_app, runningId, "cancelled");
        Assert.Equal("cancelled", after.GetProperty("attemptLog")[0].GetProperty("error").GetString());

        // Replaying a cancelled job runs it.
        await _app.Admin.PostAsync($"/api/jobs/{id}/retry", null).ShouldBe(HttpStatusCode.OK);
        await TestJobs.WaitForStateAsync(_app, id, "succeeded");
    }

    [Fact]
    public async Task Lists_filter_and_page_with_a_cursor()
    {
        for (int i = 0; i < 5; i++)
        {
            await TestJobs.EnqueueAsync(_app, new { type = "test.ok", queue = i % 2 == 0 ? "even" : "odd", delaySeconds = 3600 });
        }

        var even = await _app.Admin.GetAsync("/api/jobs?queue=even&state=pending").ShouldBe(HttpStatusCode.OK);
        Assert.Equal(3, even.GetProperty("data").GetArrayLength());
        var page = await _app.Admin.GetAsync("/api/jobs?limit=2").ShouldBe(HttpStatusCode.OK);
        var seen = page.GetProperty("data").EnumerateArray().Select(j => j.GetProperty("id").GetString()).ToList();
        string? cursor = page.GetProperty("meta").GetProperty("nextCursor").GetString();
        while (cursor is not null)
        {
            page = await _app.Admin.GetAsync($"/api/jobs?limit=2&cursor={cursor}").ShouldBe(HttpStatusCode.OK);
            seen.AddRange(page.GetProperty("data").EnumerateArray().Select(j => j.GetProperty("id").GetString()));
            cursor = page.GetProperty("meta").GetProperty("nextCursor").GetString();
        }

        Assert.Equal(5, seen.Distinct().Count());

        var stats = await _app.Admin.GetAsync("/api/jobs/stats").ShouldBe(HttpStatusCode.OK);
        var queues = stats.GetProperty("data").GetProperty("queues");
        Assert.Equal(3, queues.EnumerateArray().Single(q => q.GetProperty("queue").GetString() == "even").GetProperty("pending").GetInt64());
    }

    [Theory]
    [InlineData("""{"payload":{}}""", "type")]
    [InlineData("""{"type":"nope"}""", "type")]
    [InlineData("""{"type":"test.ok","queue":"bad queue"}""", "queue")]
    [InlineData("""{"type":"test.ok","priority":1.5}""", "priority")]
    [InlineData("""{"type":"test.ok","maxAttempts":0}""", "maxAttempts")]
    [InlineData("""{"type":"test.ok","timeoutSeconds":100000}""", "timeoutSeconds")]
    [InlineData("""{"type":"test.ok","runAt":"yesterday"}""", "runAt")]
    [InlineData("""{"type":"test.ok","runAt":"2030-01-01T00:00:00Z","delaySeconds":5}""", "delaySeconds")]
    [InlineData("""{"type":"test.ok","delaySeconds":-1}""", "delaySeconds")]
    [InlineData("""{"type":"test.ok","backoff":{"initialMs":10,"maxMs":5}}""", "backoff.maxMs")]
    [InlineData("""{"type":"test.ok","backoff":{"initialMs":0}}""", "backoff.initialMs")]
    [InlineData("""{"type":"test.ok","payload":"text"}""", "payload")]
    [InlineData("""{"type":"test.ok","idempotencyKey":""}""", "idempotencyKey")]
    [InlineData("""{"type":"test.ok","surprise":1}""", "surprise")]
    public async Task Malformed_job_requests_name_the_field(string body, string field)
    {
        var error = await _app.Admin.PostAsync("/api/jobs", TestApp.JsonContent(body)).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        Assert.Contains(field, error.DetailFields());
    }

    [Fact]
    public async Task Bad_requests_and_unknown_jobs_get_clear_errors()
    {
        await _app.Admin.PostAsync("/api/jobs", TestApp.JsonContent("[1,2")).ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        await _app.Admin.PostAsync("/api/jobs", new StringContent("type=http")).ShouldBe(HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE");
        await _app.Admin.PostAsync("/api/jobs", TestApp.JsonContent("[]")).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        await _app.Admin.GetAsync("/api/jobs?state=lost").ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        await _app.Admin.GetAsync("/api/jobs?limit=0").ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        await _app.Admin.GetAsync("/api/jobs?cursor=zzz").ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        await _app.Admin.GetAsync("/api/jobs?sort=id").ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        await _app.Admin.GetAsync("/api/jobs/not-an-id").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
        await _app.Admin.GetAsync($"/api/jobs/{Guid.CreateVersion7()}").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
        await _app.Admin.PostAsync($"/api/jobs/{Guid.CreateVersion7()}/retry", null).ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
        await _app.Admin.DeleteAsync($"/api/jobs/{Guid.CreateVersion7()}").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task Only_superusers_and_their_jobs_keys_manage_jobs()
    {
        await _app.Anonymous.GetAsync("/api/jobs").ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await _app.CreateRecordAsync("users", new { email = "u@example.com", password = "a long enough password" });
        using var user = _app.ClientWithToken(await _app.SignInAsync("/api/auth/login", "u@example.com", "a long enough password"));
        await user.GetAsync("/api/jobs").ShouldBe(HttpStatusCode.Forbidden, "FORBIDDEN");
        await user.PostAsync("/api/jobs", TestApp.JsonContent("""{"type":"test.ok"}""")).ShouldBe(HttpStatusCode.Forbidden, "FORBIDDEN");
        var refused = await user.PostAsync("/api/keys", TestApp.JsonContent("""{"name":"k","scopes":["jobs"]}""")).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        Assert.Contains("scopes", refused.DetailFields());

        var jobsKey = await _app.Admin.PostAsync("/api/keys", TestApp.JsonContent("""{"name":"ops","scopes":["jobs"]}""")).ShouldBe(HttpStatusCode.Created);
        var readKey = await _app.Admin.PostAsync("/api/keys", TestApp.JsonContent("""{"name":"reader","scopes":["read"]}""")).ShouldBe(HttpStatusCode.Created);
        using var ops = _app.ClientWithToken(jobsKey.GetProperty("data").GetProperty("key").GetString()!);
        using var reader = _app.ClientWithToken(readKey.GetProperty("data").GetProperty("key").GetString()!);
        await ops.PostAsync("/api/jobs", TestApp.JsonContent("""{"type":"test.ok"}""")).ShouldBe(HttpStatusCode.Created);
        await ops.GetAsync("/api/jobs").ShouldBe(HttpStatusCode.OK);
        await reader.GetAsync("/api/jobs").ShouldBe(HttpStatusCode.Forbidden, "FORBIDDEN");
    }

    [Fact]
    public async Task Higher_priority_jobs_run_first_and_queues_keep_their_concurrency()
    {
        await using var app = await TestApp.StartAsync(kind, new Dictionary<string, string?> { ["Fundament:JobWorkers"] = "false" }, configure: _jobs.Register);
        var store = app.Get<JobStore>();
        var runAt = DateTime.UtcNow.AddSeconds(-1);
        var low = (await store.EnqueueAsync(new JobRequest("test.ok", "{}") { Priority = -5, RunAt = runAt }, default)).Job;
        var high = (await store.EnqueueAsync(new JobRequest("test.ok", "{}") { Priority = 10, RunAt = runAt.AddSeconds(0.5) }, default)).Job;
        var middle = (await store.EnqueueAsync(new JobRequest("test.ok", "{}") { RunAt = runAt }, default)).Job;
        await store.EnqueueAsync(new JobRequest("test.ok", "{}") { RunAt = DateTime.UtcNow.AddHours(1) }, default);

        var claimed = await store.ClaimAsync("default", 10, "node-a", TimeSpan.FromMinutes(1), default);
        Assert.Equal([high.Id, middle.Id, low.Id], claimed.OrderByDescending(c => c.Job.Priority).Select(c => c.Job.Id));
        Assert.Equal(3, claimed.Count);
        Assert.Empty(await store.ClaimAsync("default", 10, "node-b", TimeSpan.FromMinutes(1), default));
    }

    [Fact]
    public async Task A_job_whose_lease_runs_out_is_claimed_again_and_its_attempt_says_why()
    {
        await using var app = await TestApp.StartAsync(kind, new Dictionary<string, string?> { ["Fundament:JobWorkers"] = "false" }, configure: _jobs.Register);
        var store = app.Get<JobStore>();
        var job = (await store.EnqueueAsync(new JobRequest("test.ok", "{}") { MaxAttempts = 2 }, default)).Job;
        var first = Assert.Single(await store.ClaimAsync("default", 1, "dead-node", TimeSpan.FromMilliseconds(200), default));
        Assert.False(await store.RenewLeaseAsync(first, "other-node", TimeSpan.FromMinutes(1), default));
        await Task.Delay(400);
        Assert.Equal(1, await store.RecoverExpiredLeasesAsync(default));
        Assert.Null(await store.CompleteAsync(first, "dead-node", new AttemptOutcome(true, null, null, null), default));

        var second = Assert.Single(await store.ClaimAsync("default", 1, "live-node", TimeSpan.FromMilliseconds(200), default));
        Assert.Equal(2, second.AttemptNumber);
        await Task.Delay(400);
        await store.RecoverExpiredLeasesAsync(default);
        var dead = await store.FindAsync(job.Id, default);
        Assert.Equal(JobStates.Dead, dead!.State);
        var attempts = await store.ListAttemptsAsync(job.Id, default);
        Assert.All(attempts, a => Assert.Equal(JobStore.LeaseExpiredError, a.Error));
        Assert.Equal(["dead-node", "live-node"], attempts.Select(a => a.Node));
    }

    [Fact]
    public async Task Shutdown_hands_unfinished_jobs_back_to_the_queue()
    {
        var jobs = new TestJobs();
        string id;
        string dir = Path.Combine(Path.GetTempPath(), "fundament-tests", Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?> { ["Fundament:JobPollMilliseconds"] = "50", ["Fundament:JobShutdownGraceSeconds"] = "0" };
        if (kind == DbKind.Postgres)
        {
            settings["Fundament:Database"] = await PostgresCluster.CreateDatabaseAsync();
        }

        await using (var app = await TestApp.StartAsync(kind, settings, dir, jobs.Register))
        {
            id = (await TestJobs.EnqueueAsync(app, new { type = "test.block", timeoutSeconds = 600 })).GetProperty("id").GetString()!;
            await TestJobs.WaitForStateAsync(app, id, "running");
        }

        settings["Fundament:JobWorkers"] = "false";
        await using (var again = await TestApp.StartAsync(kind, settings, dir, jobs.Register))
        {
            var job = (await again.Admin.GetAsync($"/api/jobs/{id}").ShouldBe(HttpStatusCode.OK)).GetProperty("data");
            Assert.Equal("pending", job.GetProperty("state").GetString());
            Assert.Equal(0, job.GetProperty("attempts").GetInt32());
            Assert.Equal(0, job.GetProperty("attemptLog").GetArrayLength());
        }

        Directory.Delete(dir, recursive: true);
    }

    [Theory]
    [InlineData(1, 1000)]
    [InlineData(2, 2000)]
    [InlineData(4, 8000)]
    [InlineData(30, 60_000)]
    public void Backoff_doubles_up_to_its_ceiling(int attempt, long ceiling)
    {
        var backoff = new Backoff(1000, 60_000);
        Assert.Equal(ceiling, backoff.CeilingMs(attempt));
        var random = new Random(7);
        for (int i = 0; i < 100; i++)
        {
            var delay = backoff.Delay(attempt, random);
            Assert.InRange(delay.TotalMilliseconds, 0, ceiling);
        }
    }
}

public sealed class JobsApiTests_Sqlite() : JobsApiTests(DbKind.Sqlite);

public sealed class JobsApiTests_Postgres() : JobsApiTests(DbKind.Postgres);
