using System.Net;
using Fundament.Data;
using Fundament.Jobs;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Jobs;

public abstract class SchedulesApiTests(DbKind kind) : IAsyncLifetime
{
    private readonly TestJobs _jobs = new();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fundament-tests", Guid.NewGuid().ToString("N"));
    private Dictionary<string, string?> _settings = null!;
    private TestApp _app = null!;

    public async ValueTask InitializeAsync()
    {
        _settings = new Dictionary<string, string?> { ["Fundament:JobPollMilliseconds"] = "50" };
        if (kind == DbKind.Postgres)
        {
            _settings["Fundament:Database"] = await PostgresCluster.CreateDatabaseAsync();
        }

        _app = await TestApp.StartAsync(kind, _settings, _dir, _jobs.Register);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_schedule_is_created_read_changed_and_deleted()
    {
        var created = await _app.Admin.PostAsync("/api/schedules", TestApp.JsonContent(
            """{"name":"nightly","cron":"30 2 * * *","timeZone":"Europe/Amsterdam","job":{"type":"test.ok","payload":{"n":7},"queue":"night"}}"""))
            .ShouldBe(HttpStatusCode.Created);
        var schedule = created.GetProperty("data");
        Assert.Equal("30 2 * * *", schedule.GetProperty("cron").GetString());
        Assert.Equal("night", schedule.GetProperty("job").GetProperty("queue").GetString());
        Assert.Equal(7, schedule.GetProperty("job").GetProperty("payload").GetProperty("n").GetInt32());
        var next = DateTime.Parse(schedule.GetProperty("nextRunAt").GetString()!, null, System.Globalization.DateTimeStyles.AdjustToUniversal);
        var local = TimeZoneInfo.ConvertTimeFromUtc(next, TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam"));
        Assert.Equal((2, 30), (local.Hour, local.Minute));

        await _app.Admin.PostAsync("/api/schedules", TestApp.JsonContent("""{"name":"nightly","cron":"* * * * *","job":{"type":"test.ok"}}"""))
            .ShouldBe(HttpStatusCode.Conflict, "CONFLICT");
        var paused = await _app.Admin.PatchAsync("/api/schedules/nightly", TestApp.JsonContent("""{"enabled":false}""")).ShouldBe(HttpStatusCode.OK);
        Assert.False(paused.GetProperty("data").GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKindNull, paused.GetProperty("data").GetProperty("nextRunAt").ValueKind);
        var list = await _app.Admin.GetAsync("/api/schedules").ShouldBe(HttpStatusCode.OK);
        Assert.Equal(1, list.GetProperty("data").GetArrayLength());
        await _app.Admin.DeleteAsync("/api/schedules/nightly").ShouldBe(HttpStatusCode.NoContent);
        await _app.Admin.GetAsync("/api/schedules/nightly").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
        await _app.Admin.DeleteAsync("/api/schedules/nightly").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
        await _app.Admin.PatchAsync("/api/schedules/nightly", TestApp.JsonContent("{}")).ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;

    [Fact]
    public async Task A_due_schedule_enqueues_its_job_once_and_moves_on()
    {
        await CreateYearlyAsync();
        await MakeDueAsync(_app, "tick", TimeSpan.FromMinutes(5));
        var job = await WaitForScheduledJobAsync(_app);
        Assert.Equal("tick", job.Schedule);
        await TestJobs.WaitForStateAsync(_app, job.Id, "succeeded");
        var schedule = (await _app.Admin.GetAsync("/api/schedules/tick").ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal(job.Id, schedule.GetProperty("lastJobId").GetString());
        Assert.True(DateTime.Parse(schedule.GetProperty("nextRunAt").GetString()!).ToUniversalTime() > DateTime.UtcNow);
    }

    [Fact]
    public async Task Runs_missed_while_the_server_was_down_run_once_after_a_restart()
    {
        // Daily, and "down" for ten days: ten missed occurrences, and no real one near (short of midnight UTC).
        await _app.Admin.PostAsync("/api/schedules", TestApp.JsonContent("""{"name":"tick","cron":"0 0 * * *","job":{"type":"test.ok"}}""")).ShouldBe(HttpStatusCode.Created);
        await _app.DisposeAsync();

        await using (var store = DataServices.OpenDatabase(new FundamentOptions { DataDirectory = _dir, Database = _settings.GetValueOrDefault("Fundament:Database") }))
        {
            await SetNextRunAsync(store, "tick", DateTime.UtcNow.AddDays(-10));
        }

        _app = await TestApp.StartAsync(kind, _settings, _dir, _jobs.Register);
        await WaitForScheduledJobAsync(_app);
        await Task.Delay(1500);
        var jobs = await _app.Get<JobStore>().ListAsync(new JobFilter(Type: "test.ok"), 100, null, default);
        Assert.Single(jobs);
    }

    [Fact]
    public async Task Two_servers_on_one_database_enqueue_each_run_once()
    {
        if (kind != DbKind.Postgres)
        {
            return; // Several nodes share a database only on PostgreSQL.
        }

        await CreateYearlyAsync();
        await using var second = await TestApp.StartAsync(kind, _settings, Path.Combine(_dir, "second"), _jobs.Register);
        await MakeDueAsync(_app, "tick", TimeSpan.FromMinutes(3));
        await WaitForScheduledJobAsync(_app);
        await Task.Delay(2500);
        Assert.Single(await _app.Get<JobStore>().ListAsync(new JobFilter(Type: "test.ok"), 100, null, default));
    }

    [Theory]
    [InlineData("""{"cron":"* * * * *","job":{"type":"test.ok"}}""", "name")]
    [InlineData("""{"name":"bad name","cron":"* * * * *","job":{"type":"test.ok"}}""", "name")]
    [InlineData("""{"name":"a","job":{"type":"test.ok"}}""", "cron")]
    [InlineData("""{"name":"a","cron":"61 * * * *","job":{"type":"test.ok"}}""", "cron")]
    [InlineData("""{"name":"a","cron":"* * * *","job":{"type":"test.ok"}}""", "cron")]
    [InlineData("""{"name":"a","cron":5,"job":{"type":"test.ok"}}""", "cron")]
    [InlineData("""{"name":"a","cron":"* * * * *","timeZone":"Mars/Olympus","job":{"type":"test.ok"}}""", "timeZone")]
    [InlineData("""{"name":"a","cron":"* * * * *"}""", "job")]
    [InlineData("""{"name":"a","cron":"* * * * *","job":{"type":"nope"}}""", "job.type")]
    [InlineData("""{"name":"a","cron":"* * * * *","job":{"type":"test.ok","runAt":"2030-01-01T00:00:00Z"}}""", "job.runAt")]
    [InlineData("""{"name":"a","cron":"* * * * *","job":{"type":"test.ok","idempotencyKey":"k"}}""", "job.idempotencyKey")]
    [InlineData("""{"name":"a","cron":"* * * * *","job":"test.ok"}""", "job")]
    [InlineData("""{"name":"a","cron":"* * * * *","job":{"type":"test.ok"},"enabled":"yes"}""", "enabled")]
    [InlineData("""{"name":"a","cron":"* * * * *","job":{"type":"test.ok"},"other":1}""", "other")]
    public async Task Malformed_schedules_name_the_field(string body, string field)
    {
        var error = await _app.Admin.PostAsync("/api/schedules", TestApp.JsonContent(body)).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        Assert.Contains(field, error.DetailFields());
    }

    [Fact]
    public async Task Only_those_who_manage_jobs_manage_schedules()
    {
        await _app.Anonymous.GetAsync("/api/schedules").ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await _app.Anonymous.PostAsync("/api/schedules", TestApp.JsonContent("{}")).ShouldBe(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await _app.CreateRecordAsync("users", new { email = "u@example.com", password = "a long enough password" });
        using var user = _app.ClientWithToken(await _app.SignInAsync("/api/auth/login", "u@example.com", "a long enough password"));
        await user.GetAsync("/api/schedules").ShouldBe(HttpStatusCode.Forbidden, "FORBIDDEN");
        await user.DeleteAsync("/api/schedules/x").ShouldBe(HttpStatusCode.Forbidden, "FORBIDDEN");
        await _app.Admin.PatchAsync("/api/schedules/x", TestApp.JsonContent("[")).ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
    }

    // Yearly, so no real occurrence falls inside a test: the tests make it due by moving next_run_at back.
    private Task CreateYearlyAsync() =>
        _app.Admin.PostAsync("/api/schedules", TestApp.JsonContent("""{"name":"tick","cron":"0 0 1 1 *","job":{"type":"test.ok"}}""")).ShouldBe(HttpStatusCode.Created);

    private static async Task MakeDueAsync(TestApp app, string name, TimeSpan ago) => await SetNextRunAsync(app.Get<Database>(), name, DateTime.UtcNow - ago);

    private static async Task SetNextRunAsync(Database database, string name, DateTime at)
    {
        await using var tx = await database.BeginWriteAsync(default);
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"UPDATE \"{JobTables.Schedules}\" SET next_run_at = ").Parameter(SqlType.Timestamp, at).Append(" WHERE name = ").Parameter(SqlType.Text, name);
        Assert.Equal(1, await tx.ExecuteAsync(sql, default));
        await tx.CommitAsync(default);
    }

    private static async Task<Job> WaitForScheduledJobAsync(TestApp app)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var jobs = await app.Get<JobStore>().ListAsync(new JobFilter(Type: "test.ok"), 10, null, default);
            if (jobs.Count > 0)
            {
                return jobs[0];
            }

            Assert.True(DateTime.UtcNow < deadline, "the schedule did not enqueue a job");
            await Task.Delay(50);
        }
    }
}

public sealed class SchedulesApiTests_Sqlite() : SchedulesApiTests(DbKind.Sqlite);

public sealed class SchedulesApiTests_Postgres() : SchedulesApiTests(DbKind.Postgres);
