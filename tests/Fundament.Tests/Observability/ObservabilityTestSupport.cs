using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fundament.Tests.Observability;

/// <summary>
/// Lets a test choose the caller's address on the in-process test server (which has none): the
/// <see cref="Header"/> value becomes <c>Connection.RemoteIpAddress</c> before the application sees the request.
/// </summary>
public sealed class RemoteAddressFilter : IStartupFilter
{
    public const string Header = "X-Test-Remote-Address";

    public static void Register(WebApplicationBuilder builder) => builder.Services.AddSingleton<IStartupFilter, RemoteAddressFilter>();

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, following) =>
        {
            if (context.Request.Headers.TryGetValue(Header, out var address))
            {
                context.Connection.RemoteIpAddress = IPAddress.Parse(address.ToString());
                context.Request.Headers.Remove(Header);
            }

            return following(context);
        });
        next(app);
    };
}

/// <summary>One captured log entry: its rendered message, its structured state and the scopes around it.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, string Message, IReadOnlyList<KeyValuePair<string, object?>> State,
    IReadOnlyList<KeyValuePair<string, object?>> Scopes, string? Exception)
{
    public object? this[string key] => State.Concat(Scopes).FirstOrDefault(p => p.Key == key).Value;

    /// <summary>Everything the entry would show a log reader, as one string to search for secrets.</summary>
    public string Everything => string.Join(" | ", new[] { Category, Message, Exception ?? "" }
        .Concat(State.Concat(Scopes).Select(p => $"{p.Key}={p.Value}")));
}

/// <summary>A logger provider that keeps every entry (with scopes) for assertions.</summary>
public sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<CapturedLog> Entries { get; } = new();

    /// <summary>Adds the capture to an app's logging at Information level.</summary>
    public void Register(WebApplicationBuilder builder)
    {
        builder.Logging.AddProvider(this);
        builder.Logging.SetMinimumLevel(LogLevel.Information);
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => capture._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = new List<KeyValuePair<string, object?>>();
            capture._scopes.ForEachScope((scope, list) =>
            {
                if (scope is IEnumerable<KeyValuePair<string, object>> pairs)
                {
                    list.AddRange(pairs.Select(p => new KeyValuePair<string, object?>(p.Key, p.Value)));
                }
                else if (scope is not null)
                {
                    list.Add(new KeyValuePair<string, object?>("Scope", scope.ToString()));
                }
            }, scopes);
            var fields = state is IEnumerable<KeyValuePair<string, object?>> pairs ? pairs.ToList() : [];
            capture.Entries.Enqueue(new CapturedLog(category, logLevel, formatter(state, exception), fields, scopes, exception?.ToString()));
        }
    }
}
