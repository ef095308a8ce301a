using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;
using Fundament.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Fundament.Identity;

/// <summary>
/// Holds off credential guessing: a per-IP request budget on the auth routes, and per-account
/// slow-down after repeated failed sign-ins. Rejections are 429 with Retry-After, in the envelope
/// (ASP.NET Core's limiter would answer 503 unless told otherwise).
/// </summary>
public sealed class AuthRateLimits(TimeProvider clock)
{
    public const string Policy = "auth";
    public const int FreeFailures = 5;
    public static readonly TimeSpan MaxLockout = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<string, (int Failures, DateTimeOffset LockedUntil)> _accounts = new(StringComparer.Ordinal);
    private PartitionedRateLimiter<string>? _signUps;
    private readonly ConcurrentDictionary<string, DateTimeOffset[]> _mails = new(StringComparer.Ordinal);

    /// <summary>Verification and reset emails one account can be sent per <see cref="MailWindow"/>.</summary>
    public const int MailsPerWindow = 3;
    public static readonly TimeSpan MailWindow = TimeSpan.FromMinutes(15);

    public static IServiceCollection AddAuthRateLimits(IServiceCollection services)
    {
        services.AddSingleton<AuthRateLimits>();
        return services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(Policy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = context.RequestServices.GetRequiredService<FundamentOptions>().AuthRequestsPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                }));
            limiter.OnRejected = (context, _) =>
            {
                int seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? (int)Math.Ceiling(retry.TotalSeconds) : 60;
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return new ValueTask(ApiErrorResult.WriteAsync(context.HttpContext,
                    new ApiError(StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited, "Too many requests; try again later")));
            };
        });
    }

    /// <summary>
    /// Sign-ups (a POST creating a record in an auth collection) share the per-IP budget of the auth
    /// routes; returns the wait when this IP has used it up.
    /// </summary>
    public TimeSpan? SignUpWait(string ip, int perMinute)
    {
        var limiter = LazyInitializer.EnsureInitialized(ref _signUps, () => PartitionedRateLimiter.Create<string, string>(key =>
            RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = perMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            })));
        using var lease = limiter.AttemptAcquire(ip);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : TimeSpan.FromMinutes(1);
    }

    /// <summary>How long the account must wait before another attempt, or null when it may try now.</summary>
    public TimeSpan? Lockout(string account)
    {
        if (_accounts.TryGetValue(Key(account), out var state) && state.LockedUntil > clock.GetUtcNow())
        {
            return state.LockedUntil - clock.GetUtcNow();
        }

        return null;
    }

    /// <summary>Records a failed attempt; after <see cref="FreeFailures"/> each failure doubles the wait.</summary>
    public void Failed(string account)
    {
        _accounts.AddOrUpdate(Key(account), _ => (1, DateTimeOffset.MinValue), (_, state) =>
        {
            int failures = state.Failures + 1;
            var wait = failures <= FreeFailures
                ? TimeSpan.Zero
                : TimeSpan.FromSeconds(Math.Min(MaxLockout.TotalSeconds, Math.Pow(2, failures - FreeFailures)));
            return (failures, clock.GetUtcNow() + wait);
        });
    }

    public void Succeeded(string account) => _accounts.TryRemove(Key(account), out _);

    /// <summary>
    /// True when another account email may be sent; past the limit the request still answers 204 (so the
    /// limit reveals nothing about the account) but no mail goes out, and nobody's inbox gets flooded.
    /// </summary>
    public bool AllowMail(string account)
    {
        var now = clock.GetUtcNow();
        bool allowed = false;
        _mails.AddOrUpdate(Key(account), _ =>
        {
            allowed = true;
            return [now];
        }, (_, sent) =>
        {
            var recent = sent.Where(at => now - at < MailWindow).ToArray();
            allowed = recent.Length < MailsPerWindow;
            return allowed ? [.. recent, now] : recent;
        });
        return allowed;
    }

    public static ApiError TooMany(HttpContext context, TimeSpan wait)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return new ApiError(StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited, "Too many failed sign-in attempts; try again later");
    }

    private static string Key(string account) => account.Trim().ToLowerInvariant();
}
