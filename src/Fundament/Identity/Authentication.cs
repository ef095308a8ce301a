using Fundament.Collections;
using Fundament.Http;
using Fundament.Identity.Tokens;
using Fundament.Records;
using Microsoft.AspNetCore.Http;

namespace Fundament.Identity;

/// <summary>
/// Resolves the caller of every request from <c>Authorization: Bearer &lt;access token or API key&gt;</c>
/// (or <c>X-Api-Key</c>): a superuser or a user of an auth collection, narrowed to the key's scopes. Accounts are
/// looked up again after any record write (<see cref="CallerCache"/>), so a deleted account stops working at once. No credentials means anonymous; credentials that do not check out are a 401,
/// never silently anonymous.
/// </summary>
public sealed class Authentication(RequestDelegate next, AccessTokens tokens, ApiKeyStore apiKeys, Accounts accounts, SchemaRegistry schemas,
    AuthRateLimits limits, FundamentOptions options, CallerCache callers, ReadCache records)
{
    /// <summary>The header API keys travel in (besides <c>Authorization: Bearer</c>).</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    // Synchronous when there is nothing to wait for (no credential, or a caller already in the cache), so the usual
    // request adds no state machine of its own.
    public Task InvokeAsync(HttpContext context)
    {
        string? credential = Credential(context.Request);
        if (credential is null)
        {
            return IsSignUp(context.Request) ? SignUpAsync(context) : next(context);
        }

        var resolving = ResolveAsync(credential, context.RequestAborted);
        return resolving.IsCompletedSuccessfully ? Continue(context, resolving.Result) : ContinueAsync(context, resolving);
    }

    private async Task ContinueAsync(HttpContext context, ValueTask<Caller?> resolving) => await Continue(context, await resolving);

    private Task Continue(HttpContext context, Caller? caller)
    {
        if (caller is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"fundament\", error=\"invalid_token\"";
            return ApiErrorResult.WriteAsync(context, ApiError.Unauthorized("The access token is invalid or has expired"));
        }

        caller.AttachTo(context);
        return next(context);
    }

    private async Task SignUpAsync(HttpContext context)
    {
        if (await limits.SignUpWaitAsync(context, options.AuthRequestsPerMinute) is { } wait)
        {
            await ApiErrorResult.WriteAsync(context, AuthRateLimits.TooMany(context, wait) with { Message = "Too many sign-ups from this address; try again later" });
            return;
        }

        await next(context);
    }

    // POST /api/{collection} on an auth collection by an anonymous caller.
    private bool IsSignUp(HttpRequest request)
    {
        if (!HttpMethods.IsPost(request.Method) || !request.Path.StartsWithSegments("/api", out var rest))
        {
            return false;
        }

        var name = rest.Value.AsSpan().Trim('/');
        return name.Length > 0 && !name.Contains('/') && schemas.Current.Find(name.ToString()) is { IsAuth: true };
    }

    private static string? Credential(HttpRequest request)
    {
        string authorization = request.Headers.Authorization.ToString();
        if (authorization.Length == 0)
        {
            return request.Headers.TryGetValue(ApiKeyHeader, out var key) ? key.ToString().Trim() : null;
        }

        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : string.Empty;
    }

    private async ValueTask<Caller?> ResolveAsync(string credential, CancellationToken cancellationToken)
    {
        if (credential.StartsWith(ApiKeyStore.Prefix, StringComparison.Ordinal))
        {
            var key = await apiKeys.VerifyAsync(credential, cancellationToken);
            var owner = key is null ? null : (await accounts.FindAsync(new TokenSubject(key.OwnerCollection, key.OwnerId), cancellationToken))?.ToCaller();
            return owner is null ? null : owner with { ApiKeyId = key!.Id, Scopes = key.Scopes.ToHashSet(StringComparer.Ordinal) };
        }

        if (callers.TryGet(credential, out var known))
        {
            return known;
        }

        long version = records.Version;
        if (!tokens.TryValidate(credential, out var claims) ||
            (await accounts.FindAsync(new TokenSubject(claims.Collection, claims.Subject), cancellationToken))?.ToCaller() is not { } caller)
        {
            return null;
        }

        callers.Set(credential, caller, version, claims.ExpiresAt);
        return caller;
    }
}
