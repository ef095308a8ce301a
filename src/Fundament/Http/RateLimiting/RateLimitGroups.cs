using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;

namespace Fundament.Http.RateLimiting;

/// <summary>
/// The route groups that have budgets of their own, and which group a request belongs to. A route can
/// name its group with <c>.RequireRateLimiting(RateLimitGroups.X)</c> or opt out with
/// <c>.DisableRateLimiting()</c>; otherwise its path decides, by the table in <see cref="Classify"/>.
/// </summary>
public static class RateLimitGroups
{
    /// <summary>Records: <c>/api/{collection}…</c> and <c>/api/batch</c>.</summary>
    public const string Records = "records";

    /// <summary>Sign-in, refresh, sign-out, verification and reset: <c>/api/auth/…</c>, <c>/api/admin/auth/…</c>.</summary>
    public const string Auth = "auth";

    /// <summary>Superuser administration: collections, jobs, schedules, webhooks, inbound hook settings.</summary>
    public const string Admin = "admin";

    /// <summary>Realtime connects and tickets: <c>/api/realtime…</c>.</summary>
    public const string Realtime = "realtime";

    /// <summary>Inbound webhooks that senders POST to <c>/api/hooks/{name}</c>.</summary>
    public const string Inbound = "inbound";

    /// <summary>Everything else: API keys, JWKS, the OpenAPI document and docs, unknown paths.</summary>
    public const string Default = "default";

    public static readonly IReadOnlyList<string> All = [Records, Auth, Admin, Realtime, Inbound, Default];

    // First segment after /api → group. Health must never meet a budget: a throttled probe restarts the node.
    private static readonly Dictionary<string, string?> ApiSegments = new(StringComparer.OrdinalIgnoreCase)
    {
        ["health"] = null,
        ["auth"] = Auth,
        ["collections"] = Admin,
        ["jobs"] = Admin,
        ["schedules"] = Admin,
        ["webhooks"] = Admin,
        ["admin"] = Admin,
        ["realtime"] = Realtime,
        ["batch"] = Records,
        ["keys"] = Default,
        ["connections"] = Default,
        ["ai"] = Default,
    };

    /// <summary>The group of this request, or null when it is not limited (health checks, metrics, opted-out routes).</summary>
    public static string? Classify(HttpContext context)
    {
        var metadata = context.GetEndpoint()?.Metadata;
        if (metadata?.GetMetadata<DisableRateLimitingAttribute>() is not null)
        {
            return null;
        }

        if (metadata?.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName is { } named && All.Contains(named))
        {
            return named;
        }

        var request = context.Request;
        if (request.Path.StartsWithSegments("/metrics"))
        {
            return null;
        }

        if (request.Path.StartsWithSegments("/api/admin/auth"))
        {
            return Auth;
        }

        if (!request.Path.StartsWithSegments("/api", out var rest))
        {
            return Default;
        }

        var segments = rest.Value.AsSpan().Trim('/');
        int slash = segments.IndexOf('/');
        string first = (slash < 0 ? segments : segments[..slash]).ToString();
        if (first.Equals("hooks", StringComparison.OrdinalIgnoreCase))
        {
            // POST /api/hooks/{name} is a sender delivering an event; everything else under /api/hooks is its configuration.
            bool receive = HttpMethods.IsPost(request.Method) && slash > 0 && !segments[(slash + 1)..].Contains('/');
            return receive ? Inbound : Admin;
        }

        return first.Length == 0 ? Default : ApiSegments.TryGetValue(first, out var group) ? group : Records;
    }
}
