using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Fundament.Http.RateLimiting;

/// <summary>
/// Takes one token per request from the caller's bucket in the request's route group, after
/// authentication has said who the caller is: an API key's bucket when the request used a key, else
/// the user's when signed in, else the client IP's (<see cref="ClientAddress"/>). Superusers signed in
/// with a token are not limited — the operator must never be locked out of their own server — but
/// API keys always are, a superuser's too, since keys are what runaway scripts use.
/// </summary>
/// <remarks>
/// Every limited response carries the fields of the IETF draft "RateLimit header fields for HTTP"
/// (draft-ietf-httpapi-ratelimit-headers-10, September 2025), in its structured-field form:
/// <c>RateLimit-Policy: "records";q=100;w=5</c> (a bucket of q requests that refills in w seconds) and
/// <c>RateLimit: "records";r=42;t=3</c> (r requests left, t seconds until the bucket is full again).
/// A refused request is a 429 RATE_LIMITED envelope with <c>Retry-After</c>: the seconds until one
/// token is back.
/// </remarks>
public sealed class RateLimitMiddleware(RequestDelegate next, RateLimitPolicies policies, RateLimitBuckets buckets, ClientAddress addresses)
{
    public const string PolicyHeader = "RateLimit-Policy";
    public const string StateHeader = "RateLimit";

    // Synchronous when the request is not limited or its bucket answers at once (the in-process store), so the
    // usual request adds no state machine of its own.
    public Task InvokeAsync(HttpContext context)
    {
        var caller = Caller.Of(context);
        string? group = caller is { IsSuperuser: true, ApiKeyId: null } ? null : RateLimitGroups.Classify(context);
        var policy = group is null ? null : policies.Find(group, caller.IsAnonymous);
        if (policy is null)
        {
            return next(context);
        }

        var taking = buckets.TakeAsync(BucketKey(group!, caller, context), policy);
        return taking.IsCompletedSuccessfully ? Answer(context, group!, policy, taking.Result) : AnswerAsync(context, group!, policy, taking);
    }

    private async Task AnswerAsync(HttpContext context, string group, BucketPolicy policy, ValueTask<BucketState> taking) =>
        await Answer(context, group, policy, await taking);

    private Task Answer(HttpContext context, string group, BucketPolicy policy, BucketState state)
    {
        WriteHeaders(context.Response.Headers, group, policy, state);
        return state.Allowed ? next(context) : ApiErrorResult.WriteAsync(context, TooMany(context, RetryAfter(policy, state)));
    }

    /// <summary>How long until the bucket holds a whole token again.</summary>
    public static TimeSpan RetryAfter(BucketPolicy policy, BucketState state) =>
        TimeSpan.FromSeconds(Math.Max(0, 1 - state.Tokens) / policy.TokensPerSecond);

    /// <summary>Sets <c>Retry-After</c> (whole seconds, at least 1) and returns the 429 error to answer with.</summary>
    public static ApiError TooMany(HttpContext context, TimeSpan wait)
    {
        int seconds = (int)Math.Clamp(BucketPolicy.CeilingSeconds(wait.TotalSeconds), 1, int.MaxValue);
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return new ApiError(StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited,
            $"Too many requests; try again in {seconds} second{(seconds == 1 ? "" : "s")}");
    }

    /// <summary>Writes <c>RateLimit-Policy</c> and <c>RateLimit</c> for one policy.</summary>
    public static void WriteHeaders(IHeaderDictionary headers, string group, BucketPolicy policy, BucketState state)
    {
        long remaining = (long)Math.Floor(state.Tokens + 1e-9);
        long reset = (long)Math.Max(0, BucketPolicy.CeilingSeconds((policy.Capacity - state.Tokens) / policy.TokensPerSecond));
        headers[PolicyHeader] = string.Create(CultureInfo.InvariantCulture, $"\"{group}\";q={policy.Capacity};w={policy.WindowSeconds}");
        headers[StateHeader] = string.Create(CultureInfo.InvariantCulture, $"\"{group}\";r={remaining};t={reset}");
    }

    private string BucketKey(string group, Caller caller, HttpContext context) =>
        caller.ApiKeyId is { } key ? $"{group}:key:{key}"
        : caller.IsAnonymous ? $"{group}:ip:{addresses.Key(context)}"
        : $"{group}:{caller.Scope}";
}
