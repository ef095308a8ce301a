using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fundament.Http.RateLimiting;

/// <summary>Registers rate limiting (<see cref="RateLimitOptions"/>) and puts it in the pipeline.</summary>
public static class RateLimitServices
{
    /// <summary>Adds the options (validated at start-up), the policy table, the buckets and, when configured, Redis.</summary>
    public static IHostApplicationBuilder AddRateLimits(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<RateLimitOptions>>().Value);
        services.AddSingleton(sp => RateLimitPolicies.Create(
            sp.GetRequiredService<RateLimitOptions>().RateLimits, sp.GetRequiredService<FundamentOptions>().AuthRequestsPerMinute));
        services.AddSingleton<ClientAddress>();
        services.AddSingleton(sp => new LocalTokenBuckets(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<RateLimitOptions>().RateLimitBuckets));
        services.AddSingleton(sp =>
        {
            string? redis = sp.GetRequiredService<RateLimitOptions>().Redis;
            var shared = string.IsNullOrWhiteSpace(redis) || !RedisEndpoint.TryParse(redis, out var endpoint, out _)
                ? null
                : new RedisTokenBuckets(new RedisConnection(endpoint), sp.GetRequiredService<TimeProvider>());
            return new RateLimitBuckets(sp.GetRequiredService<LocalTokenBuckets>(), shared, sp.GetRequiredService<ILogger<RateLimitBuckets>>());
        });
        return builder;
    }

    /// <summary>Limits requests by route group and caller; goes after authentication, which says who the caller is.</summary>
    public static IApplicationBuilder UseRateLimits(this IApplicationBuilder app) => app.UseMiddleware<RateLimitMiddleware>();
}
