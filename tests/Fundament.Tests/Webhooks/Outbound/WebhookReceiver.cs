using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fundament.Tests.Webhooks.Outbound;

/// <summary>
/// A real webhook receiver on 127.0.0.1 (Kestrel, a free port): records every POST per path and answers
/// 200, or what a test scripted for that path (statuses in turn, then a default), optionally holding a
/// request until the test releases it.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Received>> _received = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(int Status, string Body)>> _scripts = new();
    private readonly ConcurrentDictionary<string, (int Status, string Body)> _defaults = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _holds = new();
    private WebApplication _app = null!;

    /// <summary>One request as it arrived: the headers the spec names and the exact body bytes.</summary>
    public sealed record Received(string Path, string? Id, string? Timestamp, string? Signature, string? ContentType, byte[] Body)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

        public string Type => Json.GetProperty("type").GetString()!;

        public JsonElement Data => Json.GetProperty("data");
    }

    public int Port { get; private set; }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/{**path}", receiver.HandleAsync);
        app.MapGet("/{**path}", receiver.HandleAsync);
        await app.StartAsync();
        receiver._app = app;
        receiver.Port = new Uri(app.Urls.First()).Port;
        return receiver;
    }

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    /// <summary>Answers the next requests to <paramref name="path"/> with these, in order.</summary>
    public void Script(string path, params (int Status, string Body)[] responses)
    {
        var queue = _scripts.GetOrAdd(path, _ => new());
        foreach (var response in responses)
        {
            queue.Enqueue(response);
        }
    }

    /// <summary>Answers every unscripted request to <paramref name="path"/> with this.</summary>
    public void AnswerAlways(string path, int status, string body = "") => _defaults[path] = (status, body);

    /// <summary>Makes the next request to <paramref name="path"/> wait until <see cref="Release"/>.</summary>
    public void Hold(string path) => _holds[path] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release(string path)
    {
        if (_holds.TryRemove(path, out var hold))
        {
            hold.TrySetResult();
        }
    }

    public IReadOnlyList<Received> At(string path) => _received.TryGetValue(path, out var queue) ? queue.ToArray() : [];

    /// <summary>Waits until <paramref name="path"/> got at least <paramref name="count"/> requests (bounded: 15 s).</summary>
    public async Task<IReadOnlyList<Received>> WaitForAsync(string path, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (At(path).Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{path} got {At(path).Count} of {count} requests");
            await Task.Delay(20);
        }

        return At(path);
    }

    /// <summary>
    /// Checks a Standard Webhooks signature without the code under test: HMAC-SHA256 over
    /// <c>id.timestamp.body</c>, keyed with the base64-decoded part of the <c>whsec_</c> secret.
    /// </summary>
    public static bool IsSignedWith(Received request, string secret)
    {
        Assert.StartsWith("whsec_", secret);
        byte[] key = Convert.FromBase64String(secret["whsec_".Length..]);
        byte[] prefix = Encoding.UTF8.GetBytes($"{request.Id}.{request.Timestamp}.");
        byte[] content = [.. prefix, .. request.Body];
        string expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
        return request.Signature!.Split(' ').Contains(expected);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var hold in _holds.Values)
        {
            hold.TrySetResult();
        }

        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        string path = context.Request.Path.Value ?? "/";
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var headers = context.Request.Headers;
        _received.GetOrAdd(path, _ => new()).Enqueue(new Received(path, headers["webhook-id"], headers["webhook-timestamp"], headers["webhook-signature"],
            context.Request.ContentType, body.ToArray()));
        if (_holds.TryGetValue(path, out var hold))
        {
            await hold.Task;
        }

        var (status, text) = _scripts.TryGetValue(path, out var script) && script.TryDequeue(out var next) ? next
            : _defaults.TryGetValue(path, out var fallback) ? fallback
            : (200, "ok");
        context.Response.StatusCode = status;
        if (status is >= 300 and < 400)
        {
            context.Response.Headers.Location = "/moved";
        }

        await context.Response.WriteAsync(text);
    }
}
