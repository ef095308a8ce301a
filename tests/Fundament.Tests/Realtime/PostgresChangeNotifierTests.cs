using System.Net;
using System.Net.Http.Json;
using Fundament.Realtime;
using Fundament.Tests.Testing;
using Npgsql;

namespace Fundament.Tests.Realtime;

/// <summary>
/// On PostgreSQL other nodes hear of committed changes through a NOTIFY sent after the commit, outside the write's
/// transaction (inside it, the NOTIFY's commit-time lock made every writing transaction of the cluster commit one at
/// a time); a write that rolls back is never announced.
/// </summary>
public sealed class PostgresChangeNotifierTests : IAsyncLifetime
{
    private string _database = null!;
    private TestApp _app = null!;

    public async ValueTask InitializeAsync()
    {
        _database = await PostgresCluster.CreateDatabaseAsync();
        _app = await TestApp.StartAsync(DbKind.Postgres, new Dictionary<string, string?> { ["Fundament:Database"] = _database });
        await _app.CreateCollectionAsync("""{"name":"notes","fields":[{"name":"title","type":"text","required":true}],"listRule":"","createRule":""}""");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Committed_changes_are_announced_after_their_commit_and_rolled_back_ones_never()
    {
        await using var listener = new NpgsqlConnection(_database);
        await listener.OpenAsync();
        int heard = 0;
        listener.Notification += (_, notification) =>
        {
            if (notification.Channel == ChangeStore.Channel)
            {
                Interlocked.Increment(ref heard);
            }
        };
        await using (var listen = new NpgsqlCommand("LISTEN " + ChangeStore.Channel, listener))
        {
            await listen.ExecuteNonQueryAsync();
        }

        // The first create is recorded in the change log, then the batch fails and rolls it back.
        var failing = new
        {
            requests = new object[]
        {
            new { method = "POST", url = "/api/notes", body = new { title = "rolled back" } },
            new { method = "POST", url = "/api/notes", body = new { title = "" } },
        }
        };
        await _app.Admin.PostAsJsonAsync("/api/batch", failing).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        await listener.WaitAsync(TimeSpan.FromMilliseconds(500));
        Assert.Equal(0, Volatile.Read(ref heard));

        await _app.Anonymous.PostAsJsonAsync("/api/notes", new { title = "committed" }).ShouldBe(HttpStatusCode.Created);
        var deadline = DateTime.UtcNow + Eventually.DefaultTimeout;
        while (Volatile.Read(ref heard) == 0 && DateTime.UtcNow < deadline)
        {
            await listener.WaitAsync(TimeSpan.FromMilliseconds(200));
        }

        Assert.True(Volatile.Read(ref heard) > 0, "no NOTIFY followed a committed change");
    }
}
