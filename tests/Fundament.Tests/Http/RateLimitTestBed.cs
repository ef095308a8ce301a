using System.Collections.Concurrent;
using System.Net;
using Fundament.Http.RateLimiting;
using Fundament.Tests.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fundament.Tests.Http;

/// <summary>
/// The app with given rate-limit rules, requests that come from a chosen client IP (the in-process
/// server has none), and optionally a manual clock for the buckets and a log to read.
/// </summary>
public static class RateLimitTestBed
{
    /// <summary>A test-only header that sets the connection's remote address, as if the request came from there.</summary>
    public const string ClientIpHeader = "X-Test-Client-Ip";

    public static Task<TestApp> StartAsync(string? rules, ManualClock? clock = null, IDictionary<string, string?>? settings = null, LogCapture? logs = null)
    {
        var values = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["Fundament:RateLimits"] = rules };
        return TestApp.StartAsync(DbKind.Sqlite, values, configure: builder =>
        {
            builder.Services.AddTransient<IStartupFilter, ClientIpFilter>();
            if (clock is not null)
            {
                builder.Services.AddSingleton(new LocalTokenBuckets(clock, RateLimitOptions.DefaultRateLimitBuckets));
            }

            if (logs is not null)
            {
                builder.Logging.AddProvider(logs);
            }
        });
    }

    public static HttpRequestMessage Request(HttpMethod method, string path, string? clientIp = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (clientIp is not null)
        {
            request.Headers.Add(ClientIpHeader, clientIp);
        }

        return request;
    }

    public static Task<HttpResponseMessage> GetFromAsync(this HttpClient client, string path, string? clientIp = null) =>
        client.SendAsync(Request(HttpMethod.Get, path, clientIp));

    /// <summary>The <c>RateLimit-Policy</c> and <c>RateLimit</c> values, or nulls when the response has none.</summary>
    public static (string? Policy, string? State) RateLimitHeaders(this HttpResponseMessage response) =>
        (response.Headers.TryGetValues(RateLimitMiddleware.PolicyHeader, out var policy) ? policy.Single() : null,
         response.Headers.TryGetValues(RateLimitMiddleware.StateHeader, out var state) ? state.Single() : null);

    private sealed class ClientIpFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (context.Request.Headers.TryGetValue(ClientIpHeader, out var ip))
                {
                    context.Connection.RemoteIpAddress = IPAddress.Parse(ip.ToString());
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}

/// <summary>Keeps what the app logs, so a test can check that a warning was written.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Logger(_entries);

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<(LogLevel, string)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue((logLevel, formatter(state, exception)));
    }
}
