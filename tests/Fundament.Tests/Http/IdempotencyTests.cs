using System.Net;
using Fundament.Data;
using Fundament.Http;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Http;

public abstract class IdempotencyTests(DbKind kind) : IAsyncLifetime
{
    private TestApp _app = null!;

    public async ValueTask InitializeAsync()
    {
        _app = await TestApp.StartAsync(kind);
        await _app.CreateCollectionAsync("""{"name":"orders","fields":[{"name":"ref","type":"text","required":true}],"listRule":"","createRule":""}""");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private Task<HttpResponseMessage> Post(string key, string body, HttpClient? client = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = TestApp.JsonContent(body) };
        request.Headers.Add(Idempotency.HeaderName, key);
        return (client ?? _app.Anonymous).SendAsync(request);
    }

    private async Task<long> CountAsync() =>
        (await _app.Anonymous.GetAsync("/api/orders").ShouldBe(HttpStatusCode.OK)).GetProperty("meta").GetProperty("total").GetInt64();

    [Fact]
    public async Task A_retry_with_the_same_key_and_body_replays_the_first_response()
    {
        using var first = await Post("order-42", """{"ref":"A"}""");
        using var second = await Post("order-42", """{"ref":"A"}""");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.True(second.Headers.Contains(Idempotency.ReplayedHeader));
        Assert.Equal(1, await CountAsync());
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_a_conflict()
    {
        await Post("k1", """{"ref":"A"}""").ShouldBe(HttpStatusCode.Created);
        await Post("k1", """{"ref":"B"}""").ShouldBe(HttpStatusCode.Conflict, "CONFLICT");
        Assert.Equal(1, await CountAsync());
    }

    [Fact]
    public async Task Keys_are_scoped_to_credentials_and_validation_failures_replay_too()
    {
        await Post("k2", """{"ref":"A"}""").ShouldBe(HttpStatusCode.Created);
        await Post("k2", """{"ref":"A"}""", _app.Admin).ShouldBe(HttpStatusCode.Created);
        Assert.Equal(2, await CountAsync());

        await Post("bad", """{"ref":""}""").ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        using var replay = await Post("bad", """{"ref":""}""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, replay.StatusCode);
        Assert.True(replay.Headers.Contains(Idempotency.ReplayedHeader));
    }

    [Fact]
    public async Task Malformed_keys_are_rejected_and_old_records_are_purged()
    {
        await Post(new string('k', 256), """{"ref":"A"}""").ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        await Post("old", """{"ref":"A"}""").ShouldBe(HttpStatusCode.Created);
        int removed = await Idempotency.PurgeAsync(_app.Get<Database>(), DateTime.UtcNow + Idempotency.Lifetime + TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.True(removed >= 1);
        await Post("old", """{"ref":"A"}""").ShouldBe(HttpStatusCode.Created);
        Assert.Equal(2, await CountAsync());
    }
}

public sealed class IdempotencyTests_Sqlite() : IdempotencyTests(DbKind.Sqlite);

public sealed class IdempotencyTests_Postgres() : IdempotencyTests(DbKind.Postgres);
