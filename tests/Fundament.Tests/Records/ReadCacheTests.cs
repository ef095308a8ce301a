using System.Net;
using System.Net.Http.Json;
using Fundament.Data;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Records;

/// <summary>The read cache: served while nothing is written, never stale after an acknowledged write, never shared across callers.</summary>
public abstract class ReadCacheTests(DbKind kind) : IAsyncLifetime
{
    private TestApp _app = null!;

    public async ValueTask InitializeAsync()
    {
        _app = await TestApp.StartAsync(kind);
        await _app.CreateCollectionAsync("""
            {"name":"notes","fields":[{"name":"title","type":"text"},{"name":"views","type":"number","integer":true},
             {"name":"owner","type":"relation","target":"users"}],
             "listRule":"owner = @request.auth.id","viewRule":"owner = @request.auth.id","createRule":"","updateRule":"owner = @request.auth.id"}
            """);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    /// <summary>Changes a row behind the server's back, as only a cache could fail to notice.</summary>
    private async Task SetTitleBehindTheServerAsync(string id, string title)
    {
        var database = _app.Get<Database>();
        await using var tx = await database.BeginWriteAsync(default);
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append("UPDATE \"notes\" SET title = ").Parameter(SqlType.Text, title).Append(" WHERE id = ").Parameter(SqlType.Id, id);
        Assert.Equal(1, await tx.ExecuteAsync(sql, default));
        await tx.CommitAsync(default);
    }

    [Fact]
    public async Task Reads_are_served_from_the_cache_until_a_write_commits()
    {
        string id = (await _app.CreateRecordAsync("notes", new { title = "first", views = 0 })).GetProperty("id").GetString()!;
        var read = await _app.Admin.GetAsync($"/api/notes/{id}").ShouldBe(HttpStatusCode.OK);
        await _app.Admin.GetAsync("/api/notes?sort=-created_at").ShouldBe(HttpStatusCode.OK);
        await SetTitleBehindTheServerAsync(id, "changed behind its back");

        Assert.Equal("first", (await _app.Admin.GetAsync($"/api/notes/{id}").ShouldBe(HttpStatusCode.OK)).GetProperty("data").GetProperty("title").GetString());
        Assert.Equal("first", (await _app.Admin.GetAsync("/api/notes?sort=-created_at").ShouldBe(HttpStatusCode.OK)).GetProperty("data")[0].GetProperty("title").GetString());

        // A cached answer still honours If-None-Match.
        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/api/notes/{id}");
        conditional.Headers.TryAddWithoutValidation("If-None-Match", read.GetProperty("data").GetProperty("id").GetString() is not null
            ? (await _app.Admin.GetAsync($"/api/notes/{id}")).Headers.ETag!.Tag : "*");
        using (var notModified = await _app.Admin.SendAsync(conditional))
        {
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }

        // Any write through the API (here to another record) makes every cached answer stale.
        await _app.CreateRecordAsync("notes", new { title = "second" });
        Assert.Equal("changed behind its back", (await _app.Admin.GetAsync($"/api/notes/{id}").ShouldBe(HttpStatusCode.OK)).GetProperty("data").GetProperty("title").GetString());
    }

    [Fact]
    public async Task No_read_after_an_acknowledged_write_is_stale_under_concurrent_writers()
    {
        // Each writer owns one record and raises its counter; whatever the others do meanwhile, its own
        // read right after an acknowledged write must show that write, for one record and for a list.
        var ids = new List<string>();
        for (int w = 0; w < 4; w++)
        {
            ids.Add((await _app.CreateRecordAsync("notes", new { title = $"w{w}", views = 0 })).GetProperty("id").GetString()!);
        }

        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var writers = ids.Select((id, w) => Task.Run(async () =>
        {
            for (int value = 1; value <= 25; value++)
            {
                using var patch = await _app.Admin.PatchAsJsonAsync($"/api/notes/{id}", new { views = value });
                Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
                long seen = (await _app.Admin.GetAsync($"/api/notes/{id}").ShouldBe(HttpStatusCode.OK)).GetProperty("data").GetProperty("views").GetInt64();
                if (seen != value)
                {
                    failures.Add($"w{w} wrote {value}, read {seen}");
                }

                string filter = Uri.EscapeDataString($"title = 'w{w}' && views >= {value}");
                var list = await _app.Admin.GetAsync($"/api/notes?filter={filter}").ShouldBe(HttpStatusCode.OK);
                if (list.GetProperty("meta").GetProperty("total").GetInt64() != 1)
                {
                    failures.Add($"w{w}: the list missed the write of {value}");
                }
            }
        })).ToArray();
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            for (int i = 0; i < 50; i++)
            {
                await _app.Admin.GetAsync($"/api/notes/{ids[i % ids.Count]}").ShouldBe(HttpStatusCode.OK);
                await _app.Admin.GetAsync("/api/notes?sort=-views").ShouldBe(HttpStatusCode.OK);
            }
        })).ToArray();
        await Task.WhenAll(writers.Concat(readers));
        Assert.Empty(failures);
        foreach (string id in ids)
        {
            Assert.Equal(await ReadViewsBehindTheServerAsync(id),
                (await _app.Admin.GetAsync($"/api/notes/{id}").ShouldBe(HttpStatusCode.OK)).GetProperty("data").GetProperty("views").GetInt64());
        }
    }

    private async Task<long> ReadViewsBehindTheServerAsync(string id)
    {
        var database = _app.Get<Database>();
        await using var connection = await database.OpenReadAsync(default);
        var sql = new SqlBuilder(database.Dialect);
        sql.Append("SELECT views FROM \"notes\" WHERE id = ").Parameter(SqlType.Id, id);
        await using var command = sql.CreateCommand(connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Cached_answers_never_cross_callers()
    {
        foreach (string email in new[] { "ann@example.com", "bob@example.com" })
        {
            await _app.Anonymous.PostAsJsonAsync("/api/users", new { email, password = "a long enough password" }).ShouldBe(HttpStatusCode.Created);
        }

        using var ann = _app.ClientWithToken(await _app.SignInAsync("/api/auth/login", "ann@example.com", "a long enough password"));
        using var bob = _app.ClientWithToken(await _app.SignInAsync("/api/auth/login", "bob@example.com", "a long enough password"));
        string annId = (await ann.GetAsync("/api/auth/me").ShouldBe(HttpStatusCode.OK)).GetProperty("data").GetProperty("id").GetString()!;
        var note = await ann.PostAsJsonAsync("/api/notes", new { title = "ann's", owner = annId }).ShouldBe(HttpStatusCode.Created);
        string noteId = note.GetProperty("data").GetProperty("id").GetString()!;

        Assert.Equal(1, (await ann.GetAsync("/api/notes").ShouldBe(HttpStatusCode.OK)).GetProperty("meta").GetProperty("total").GetInt64());
        await ann.GetAsync($"/api/notes/{noteId}").ShouldBe(HttpStatusCode.OK);
        Assert.Equal(0, (await bob.GetAsync("/api/notes").ShouldBe(HttpStatusCode.OK)).GetProperty("meta").GetProperty("total").GetInt64());
        await bob.GetAsync($"/api/notes/{noteId}").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
        await _app.Anonymous.GetAsync($"/api/notes/{noteId}").ShouldBe(HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task Time_dependent_rules_and_a_disabled_cache_always_read_the_database()
    {
        await _app.CreateCollectionAsync("""{"name":"events","fields":[{"name":"title","type":"text"},{"name":"at","type":"datetime"}],"listRule":"at < @now","viewRule":"at < @now"}""");
        await using var uncached = await TestApp.StartAsync(kind, new Dictionary<string, string?> { ["Fundament:ReadCacheMegabytes"] = "0" });
        foreach (var app in new[] { _app, uncached })
        {
            if (app == uncached)
            {
                await app.CreateCollectionAsync("""{"name":"notes","fields":[{"name":"title","type":"text"}],"listRule":"","viewRule":""}""");
            }

            string id = (await app.CreateRecordAsync("notes", new { title = "first" })).GetProperty("id").GetString()!;
            await app.Admin.GetAsync($"/api/notes/{id}").ShouldBe(HttpStatusCode.OK);
            var database = app.Get<Database>();
            await using (var tx = await database.BeginWriteAsync(default))
            {
                var sql = new SqlBuilder(tx.Dialect);
                sql.Append("UPDATE \"notes\" SET title = 'fresh' WHERE id = ").Parameter(SqlType.Id, id);
                await tx.ExecuteAsync(sql, default);
                await tx.CommitAsync(default);
            }

            Assert.Equal("fresh", (await app.Admin.GetAsync($"/api/notes/{id}").ShouldBe(HttpStatusCode.OK)).GetProperty("data").GetProperty("title").GetString());
        }
    }
}

public sealed class ReadCacheTests_Sqlite() : ReadCacheTests(DbKind.Sqlite);

public sealed class ReadCacheTests_Postgres() : ReadCacheTests(DbKind.Postgres);
