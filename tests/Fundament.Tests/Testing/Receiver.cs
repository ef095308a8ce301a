using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fundament.Tests.Testing;

/// <summary>One request as the <see cref="Receiver"/> saw it.</summary>
public sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);
}

/// <summary>
/// A real HTTP peer on 127.0.0.1 (Kestrel, random port) that records every request and answers with
/// the status <see cref="Respond"/> picks — a webhook receiver or HTTP-job target for tests.
/// </summary>
public sealed class Receiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private Receiver(WebApplication app) => _app = app;

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <summary>Chooses the status (and body) of each answer; 200 "ok" by default.</summary>
    public Func<ReceivedRequest, (int Status, string Body)> Respond { get; set; } = _ => (200, "ok");

    /// <summary>Optional delay before answering, to keep requests in flight.</summary>
    public TimeSpan Delay { get; set; }

    public Uri BaseUrl { get; private set; } = null!;

    public string Url(string path) => new Uri(BaseUrl, path).ToString();

    public static async Task<Receiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new Receiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        receiver.BaseUrl = new Uri(app.Urls.First());
        return receiver;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var request = new ReceivedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body.ToArray());
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay);
        }

        Requests.Enqueue(request);
        var (status, text) = Respond(request);
        context.Response.StatusCode = status;
        await context.Response.WriteAsync(text);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
