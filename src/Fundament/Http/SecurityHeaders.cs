using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Fundament.Http;

/// <summary>
/// Headers every response carries (unless a route set its own, as the docs page does for its CSP),
/// and CORS for the configured origins. Credentials travel as bearer tokens, never cookies, so CORS
/// never allows credentials and a wildcard origin is safe.
/// </summary>
public static class SecurityHeaders
{
    public const string CorsPolicy = "fundament";

    public static IServiceCollection AddFundamentCors(this IServiceCollection services)
    {
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<FundamentOptions>((cors, options) => cors.AddPolicy(CorsPolicy, policy =>
            Configure(policy, options.CorsOrigins.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))));
        return services;
    }

    internal static void Configure(CorsPolicyBuilder policy, IReadOnlyList<string> origins)
    {
        if (origins.Count == 0 || origins.Contains("*"))
        {
            policy.AllowAnyOrigin();
        }
        else
        {
            policy.WithOrigins([.. origins]);
        }

        policy.AllowAnyHeader().AllowAnyMethod()
              .WithExposedHeaders("ETag", "Location", RequestIds.HeaderName, "Retry-After", Idempotency.ReplayedHeader,
                  RateLimiting.RateLimitMiddleware.PolicyHeader, RateLimiting.RateLimitMiddleware.StateHeader)
              .SetPreflightMaxAge(TimeSpan.FromHours(1));
    }

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(static (context, next) =>
    {
        context.Response.OnStarting(static state =>
        {
            var headers = ((HttpResponse)state).Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Resource-Policy"] = "same-site";
            if (!headers.ContainsKey("Content-Security-Policy"))
            {
                headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
            }

            return Task.CompletedTask;
        }, context.Response);
        return next(context);
    });
}
