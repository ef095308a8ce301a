using System.Net;
using System.Text.Json;
using Fundament.Jobs;
using Fundament.Tests.Testing;
using Npgsql;

namespace Fundament.Tests.Observability;

/// <summary><c>/api/health/ready</c> answers 503 with every check while the database is gone, and 200 again once it is back.</summary>
public abstract class ReadinessTests(DbKind kind) : IAsyncLifetime
{
    private TestApp _app = null!;
    private string? _postgres;

    public async ValueTask InitializeAsync()
    {
        var settings = new Dictionary<string, string?> { ["Fundament:JobPollMilliseconds"] = "50" };
        if (kind == DbKind.Postgres)
        {
            // A database of its own: the test takes it away from every client.
            _postgres = await PostgresCluster.CreateDatabaseAsync();
            settings["Fundament:Database"] = _postgres;
        }

        _app = await TestApp.StartAsync(kind, settings);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private static Dictionary<string, string> Checks(JsonElement body, bool ready) => ready
        ? body.GetProperty("data").GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("ok").GetBoolean() ? "ok" : c.GetProperty("detail").GetString()!)
        : body.GetProperty("error").GetProperty("details").EnumerateArray().ToDictionary(d => d.GetProperty("field").GetString()!, d => d.GetProperty("message").GetString()!);

    private async Task<JsonElement> WaitForReadyAsync(HttpStatusCode status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            using var response = await _app.Anonymous.GetAsync("/api/health/ready");
            var body = await response.ReadJsonAsync();
            if (response.StatusCode == status)
            {
                return body;
            }

            Assert.True(DateTime.UtcNow < deadline, $"readiness stayed {(int)response.StatusCode}: {body}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Readiness_fails_while_the_database_is_gone_and_recovers()
    {
        var ready = await WaitForReadyAsync(HttpStatusCode.OK);
        Assert.True(ready.GetProperty("data").GetProperty("ready").GetBoolean());
        Assert.Equal(new Dictionary<string, string> { ["database"] = "ok", ["migrations"] = "ok", ["jobs"] = "ok" }, Checks(ready, true));

        await TakeDatabaseAwayAsync();
        try
        {
            var down = await WaitForReadyAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Equal("SERVICE_UNAVAILABLE", down.GetProperty("error").GetProperty("code").GetString());
            Assert.Contains("database", down.GetProperty("error").GetProperty("message").GetString());
            var checks = Checks(down, false);
            Assert.Contains("not reachable", checks["database"]);
            Assert.StartsWith("ok", checks["migrations"]);
            Assert.True(checks.ContainsKey("jobs"));

            // Liveness stays 200: the process is alive, only not ready.
            var live = await _app.Anonymous.GetAsync("/api/health").ShouldBe(HttpStatusCode.OK);
            Assert.False(live.GetProperty("data").GetProperty("database").GetProperty("reachable").GetBoolean());
        }
        finally
        {
            await BringDatabaseBackAsync();
        }

        var again = await WaitForReadyAsync(HttpStatusCode.OK);
        Assert.All(again.GetProperty("data").GetProperty("checks").EnumerateArray(), c => Assert.True(c.GetProperty("ok").GetBoolean()));
    }

    private async Task TakeDatabaseAwayAsync()
    {
        if (kind == DbKind.Sqlite)
        {
            // Open handles keep answering from a moved file, but its writes would be lost: the check must see it.
            File.Move(Path.Combine(_app.DataDirectory, "data.db"), Path.Combine(_app.DataDirectory, "data.db.away"));
            return;
        }

        await AdminAsync($"ALTER DATABASE \"{DatabaseName}\" WITH ALLOW_CONNECTIONS false; " +
                         $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{DatabaseName}'");
    }

    private async Task BringDatabaseBackAsync()
    {
        if (kind == DbKind.Sqlite)
        {
            File.Move(Path.Combine(_app.DataDirectory, "data.db.away"), Path.Combine(_app.DataDirectory, "data.db"));
            return;
        }

        await AdminAsync($"ALTER DATABASE \"{DatabaseName}\" WITH ALLOW_CONNECTIONS true");
    }

    private string DatabaseName => new NpgsqlConnectionStringBuilder(_postgres).Database!;

    private async Task AdminAsync(string sql)
    {
        var admin = new NpgsqlConnectionStringBuilder(_postgres) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

public sealed class ReadinessTests_Sqlite() : ReadinessTests(DbKind.Sqlite);

public sealed class ReadinessTests_Postgres() : ReadinessTests(DbKind.Postgres);

/// <summary>The readiness checks that need no database trickery.</summary>
public sealed class ReadinessCheckTests
{
    [Fact]
    public async Task Without_job_workers_there_is_no_jobs_check()
    {
        await using var app = await TestApp.StartAsync(DbKind.Sqlite, new Dictionary<string, string?> { ["Fundament:JobWorkers"] = "false" });
        var ready = await app.Anonymous.GetAsync("/api/health/ready").ShouldBe(HttpStatusCode.OK);
        Assert.Equal(["database", "migrations"], ready.GetProperty("data").GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()).Order());
    }

    [Fact]
    public async Task A_worker_that_stops_polling_makes_the_node_not_ready()
    {
        await using var app = await TestApp.StartAsync(DbKind.Sqlite, new Dictionary<string, string?> { ["Fundament:JobPollMilliseconds"] = "50" });
        var worker = app.Get<JobWorker>();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (worker.LastPollAt is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the worker never polled");
            await Task.Delay(20);
        }

        var options = app.Get<JobsOptions>();
        Assert.True((await new JobWorkerReadiness(worker, options, new ManualClock(DateTimeOffset.UtcNow)).CheckAsync(CancellationToken.None)).Ok);
        var later = new JobWorkerReadiness(worker, options, new ManualClock(DateTimeOffset.UtcNow + TimeSpan.FromSeconds(31) + options.Poll * 3));
        var stale = await later.CheckAsync(CancellationToken.None);
        Assert.False(stale.Ok);
        Assert.Equal("jobs", stale.Name);
        Assert.Contains("last polled the queue", stale.Detail);
    }
}
