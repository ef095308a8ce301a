using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fundament.Tests.Outbound;

/// <summary>
/// A small Kestrel peer on 127.0.0.1 for outbound calls: echoes, redirects, bodies of any size, slow answers.
/// One per test class (a class fixture); tests in a class run one after another, so <see cref="Hits"/> is theirs.
/// </summary>
public sealed class OutboundTestServer : IAsyncLifetime
{
    private WebApplication? _app;
    private int _hits;

    public int Port { get; private set; }

    /// <summary>Requests the server has seen.</summary>
    public int Hits => Volatile.Read(ref _hits);

    public Uri Url(string pathAndQuery) => new($"http://127.0.0.1:{Port}{pathAndQuery}");

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Use((context, next) =>
        {
            Interlocked.Increment(ref _hits);
            return next(context);
        });
        app.MapGet("/hello", () => "hello");
        app.Map("/echo", (Delegate)Echo);
        app.Map("/redirect", (HttpContext context) =>
        {
            context.Response.StatusCode = int.Parse(context.Request.Query["code"]!);
            context.Response.Headers.Location = (string?)context.Request.Query["to"];
        });
        app.Map("/chain/{n:int}", (int n, HttpContext context) => n == 0 ? Results.Text("done") : Results.Redirect($"/chain/{n - 1}"));
        app.MapGet("/bytes/{n:int}", (int n) => Results.Bytes(Enumerable.Repeat((byte)'a', n).ToArray(), "text/plain"));
        app.MapGet("/chunked/{n:int}", async (int n, HttpContext context) =>
        {
            // Two flushed writes and no Content-Length, so the body arrives chunked.
            await context.Response.Body.WriteAsync(new byte[n / 2]);
            await context.Response.Body.FlushAsync();
            await context.Response.Body.WriteAsync(new byte[n - (n / 2)]);
        });
        app.MapGet("/endless", async (HttpContext context) =>
        {
            var chunk = new byte[1024];
            while (!context.RequestAborted.IsCancellationRequested)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            }
        });
        app.MapGet("/slow", async (HttpContext context) => await Task.Delay(TimeSpan.FromSeconds(20), context.RequestAborted));
        app.MapGet("/trickle", async (HttpContext context) =>
        {
            await context.Response.WriteAsync("first", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(TimeSpan.FromSeconds(20), context.RequestAborted);
        });
        await app.StartAsync();
        Port = new Uri(app.Urls.First()).Port;
        _app = app;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    /// <summary>Answers "METHOD bytes=N type=T auth=A ua=U" so tests see what arrived.</summary>
    private static async Task<string> Echo(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var request = context.Request;
        return new StringBuilder()
            .Append(request.Method).Append(" bytes=").Append(body.Length)
            .Append(" type=").Append(request.ContentType)
            .Append(" auth=").Append(request.Headers.Authorization.ToString())
            .Append(" ua=").Append(request.Headers.UserAgent.ToString())
            .Append(" x=").Append(request.Headers["X-Test"].ToString())
            .ToString();
    }
}
