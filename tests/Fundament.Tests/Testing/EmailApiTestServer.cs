using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fundament.Tests.Testing;

/// <summary>
/// A Resend-shaped email API on 127.0.0.1 (real Kestrel, real sockets): records every request and answers with
/// whatever status and body the test sets.
/// </summary>
public sealed class EmailApiTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EmailApiTestServer(WebApplication app) => _app = app;

    /// <summary>One request as received.</summary>
    public sealed record Request(string Method, string Path, string? Authorization, string? ContentType, string Body);

    public ConcurrentQueue<Request> Requests { get; } = new();

    public int Status { get; set; } = StatusCodes.Status200OK;

    public string ResponseBody { get; set; } = """{"id":"49a3999c-0ce1-4ea6-ab68-afcd6dc2e794"}""";

    /// <summary>How long to wait before answering.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>The base URL, with a path prefix to prove the sender keeps it.</summary>
    public string BaseUrl => _app.Urls.Single() + "/v1";

    public static async Task<EmailApiTestServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new EmailApiTestServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        string body = await reader.ReadToEndAsync(context.RequestAborted);
        Requests.Enqueue(new Request(context.Request.Method, context.Request.Path, context.Request.Headers.Authorization, context.Request.ContentType, body));
        await Task.Delay(Delay, context.RequestAborted);
        context.Response.StatusCode = Status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(ResponseBody, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
