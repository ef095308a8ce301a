using System.Collections.Concurrent;
using System.Globalization;
using Fundament.Http;
using Fundament.Http.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Fundament.Identity;

/// <summary>
/// Holds off credential guessing on top of the request budgets of <see cref="RateLimitMiddleware"/>
/// (whose <c>auth</c> group covers the auth routes, per client IP): a per-IP sign-up budget, per-account
/// slow-down after repeated failed sign-ins, and a cap on account emails. Rejections are 429 with
/// Retry-After, in the envelope.
/// </summary>
public sealed class AuthRateLimits(TimeProvider clock, RateLimitBuckets buckets, RateLimitPolicies policies, ClientAddress addresses)
{
    /// <summary>The rate-limit group of the auth routes (<c>.RequireRateLimiting(AuthRateLimits.Policy)</c>).</summary>
    public const string Policy = RateLimitGroups.Auth;
    public const int FreeFailures = 5;
    public static readonly TimeSpan MaxLockout = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<string, (int Failures, DateTimeOffset LockedUntil)> _accounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset[]> _mails = new(StringComparer.Ordinal);

    /// <summary>Verification and reset emails one account can be sent per <see cref="MailWindow"/>.</summary>
    public const int MailsPerWindow = 3;
    public static readonly TimeSpan MailWindow = TimeSpan.FromMinutes(15);

    public static IServiceCollection AddAuthRateLimits(IServiceCollection services) => services.AddSingleton<AuthRateLimits>();

    /// <summary>
    /// Sign-ups (an anonymous POST creating a record in an auth collection) get a budget of
    /// <paramref name="perMinute"/> per client IP, in a bucket of their own that is shared across nodes like
    /// the others; returns the wait when this IP has used it up. Off when the <c>auth</c> budget is off.
    /// </summary>
    public async ValueTask<TimeSpan?> SignUpWaitAsync(HttpContext context, int perMinute)
    {
        if (policies.Find(RateLimitGroups.Auth, anonymous: true) is null)
        {
            return null;
        }

        var policy = new BucketPolicy(perMinute, perMinute / 60.0);
        var state = await buckets.TakeAsync("signup:ip:" + addresses.Key(context), policy);
        return state.Allowed ? null : RateLimitMiddleware.RetryAfter(policy, state);
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
