using System.Net;
using System.Security.Cryptography;
using System.Text;
using Fundament.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Fundament.Observability;

/// <summary>
/// <c>GET /metrics</c>: Prometheus text. Open to loopback callers; from any other address only with
/// <see cref="ObservabilityOptions.MetricsToken"/> as a bearer token (401 without it or with a wrong one), or when
/// <see cref="ObservabilityOptions.MetricsPublic"/> is on; otherwise 403. A loopback connection that carries
/// forwarding headers came through a reverse proxy and counts as remote.
/// </summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";

    private static readonly string[] ForwardingHeaders = ["Forwarded", "X-Forwarded-For", "X-Real-IP"];

    /// <summary>Marks the endpoint so <see cref="ObservabilityServices.UseObservability"/> serves it ahead of user authentication.</summary>
    public sealed class Marker;

    public static async Task<Results<ContentHttpResult, ApiErrorResult>> Scrape(HttpContext http, PrometheusExporter exporter,
        ObservabilityOptions options, CancellationToken cancellationToken)
    {
        if (Deny(http, options) is { } error)
        {
            return error.ToResult();
        }

        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Text(await exporter.ScrapeAsync(cancellationToken), PrometheusFormat.ContentType);
    }

    /// <summary>Null when the caller may read the metrics; otherwise the error to answer with.</summary>
    public static ApiError? Deny(HttpContext http, ObservabilityOptions options)
    {
        if (options.MetricsPublic || IsDirectLoopback(http))
        {
            return null;
        }

        if (options.MetricsToken is not { Length: > 0 } token)
        {
            return ApiError.Forbidden("Metrics are served to loopback callers only; set FUNDAMENT_METRICS_TOKEN (or FUNDAMENT_METRICS_PUBLIC=true) to allow others");
        }

        string authorization = http.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && TokensMatch(authorization[7..].Trim(), token))
        {
            return null;
        }

        http.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer realm=\"metrics\"";
        return ApiError.Unauthorized("The metrics token is missing or wrong");
    }

    private static bool IsDirectLoopback(HttpContext http)
    {
        var address = http.Connection.RemoteIpAddress;
        if (address is null)
        {
            return false; // Unknown (a Unix socket, a test host): not provably local.
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (!IPAddress.IsLoopback(address))
        {
            return false;
        }

        foreach (string header in ForwardingHeaders)
        {
            if (http.Request.Headers.ContainsKey(header))
            {
                return false;
            }
        }

        return true;
    }

    // Hashing first makes the comparison constant-time in the length of the token as well.
    private static bool TokensMatch(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
