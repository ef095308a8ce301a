using System.Diagnostics;
using Fundament.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Logging;

namespace Fundament.Observability;

/// <summary>
/// One log line per request: request id, method, route template, status, duration and the caller (user or API key
/// id). Never the query string, headers or body, which may carry tokens, passwords or record contents; the path
/// appears only through its route template (<c>/api/{collection}/{id}</c>). The request id is put in scope for every
/// line logged while the request runs; the trace id comes from ASP.NET Core's activity (<c>ActivityTrackingOptions</c>).
/// </summary>
public sealed partial class RequestLogging(RequestDelegate next, ILogger<RequestLogging> logger)
{
    /// <summary>The route of requests no endpoint matched; their raw path is not logged, as it may be anything a client sent.</summary>
    public const string Unmatched = "(unmatched)";

    public async Task InvokeAsync(HttpContext context)
    {
        long started = Stopwatch.GetTimestamp();
        // Read before the request runs: the exception handler clears the endpoint when it takes over.
        string route = RouteOf(context);
        using var scope = logger.BeginScope(new LogScope(new KeyValuePair<string, object>("RequestId", context.TraceIdentifier)));
        try
        {
            await next(context);
        }
        finally
        {
            int status = context.Response.StatusCode;
            if (Activity.Current is { Recorded: true } activity)
            {
                Enrich(activity, context, route, status);
            }

            if (logger.IsEnabled(LogLevel.Information))
            {
                LogRequest(logger, context.Request.Method, route, status, Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                    context.TraceIdentifier, CallerText(Caller.Of(context)));
            }
        }
    }

    /// <summary>The endpoint's route template, the same value ASP.NET Core's metrics put in <c>http.route</c>.</summary>
    public static string RouteOf(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<IRouteDiagnosticsMetadata>()?.Route ?? Unmatched;

    /// <summary><c>anonymous</c>, <c>user:ID</c>, <c>superuser:ID</c>, or <c>apikey:KEY-ID</c> (the key's id, never the key).</summary>
    public static string CallerText(Caller caller) => caller switch
    {
        { Kind: CallerKind.Anonymous } => "anonymous",
        { ApiKeyId: { } keyId } => "apikey:" + keyId,
        { Kind: CallerKind.Superuser } => "superuser:" + caller.Id,
        _ => "user:" + caller.Id,
    };

    // The server span's name and the tags tracing backends group by; set only when the span is sampled.
    private static void Enrich(Activity activity, HttpContext context, string route, int status)
    {
        activity.DisplayName = context.Request.Method + " " + route;
        activity.SetTag("http.route", route);
        activity.SetTag("http.response.status_code", status);
        activity.SetTag("fundament.request_id", context.TraceIdentifier);
        if (status >= 500)
        {
            activity.SetStatus(ActivityStatusCode.Error);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Route} → {Status} in {ElapsedMs:0.0} ms (request {RequestId}, {Caller})")]
    private static partial void LogRequest(ILogger logger, string method, string route, int status, double elapsedMs, string requestId, string caller);
}
