using Fundament.Http;
using Fundament.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Fundament.Webhooks.Inbound;

/// <summary>
/// Makes <c>POST /api/hooks/{name}</c> indifferent to headers that were meant for someone else. The
/// signature is a sender's only credential and the event id its idempotency key, yet a sender (or a proxy
/// in front of it) may add <c>Authorization</c> or <c>X-Api-Key</c> for another system — the
/// <see cref="Authentication"/> middleware would answer 401 to a valid event — or an <c>Idempotency-Key</c>,
/// which would make the <see cref="Idempotency"/> middleware store a 401 and replay it to the correctly
/// signed retry. So those headers are removed from receive requests before the pipeline sees them.
/// </summary>
/// <remarks>
/// A startup filter runs ahead of <c>MapFundament()</c>'s middleware, which is what lets the feature keep
/// this to itself instead of teaching every middleware about one route.
/// </remarks>
internal sealed class SenderHeadersFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(RemoveForeignHeaders);
        next(app);
    };

    /// <summary>True for <c>POST /api/hooks/{name}</c>, with or without a trailing slash, as routing matches it.</summary>
    public static bool IsReceive(HttpRequest request)
    {
        if (!HttpMethods.IsPost(request.Method) || !request.Path.StartsWithSegments("/api/hooks", out var rest))
        {
            return false;
        }

        var name = rest.Value.AsSpan().TrimEnd('/');
        return name.Length > 1 && name.LastIndexOf('/') == 0;
    }

    private static Task RemoveForeignHeaders(HttpContext context, RequestDelegate next)
    {
        if (IsReceive(context.Request))
        {
            var headers = context.Request.Headers;
            headers.Remove(HeaderNames.Authorization);
            headers.Remove(Authentication.ApiKeyHeader);
            headers.Remove(Idempotency.HeaderName);
        }

        return next(context);
    }
}
