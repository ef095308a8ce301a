using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Fundament.Http.RateLimiting;

/// <summary>
/// Rate-limit settings, bound from the <c>Fundament</c> section like <see cref="FundamentOptions"/>, so each
/// has a flat environment variable: <c>FUNDAMENT_RATE_LIMITS</c>, <c>FUNDAMENT_TRUSTED_PROXIES</c>,
/// <c>FUNDAMENT_REDIS</c>, <c>FUNDAMENT_RATE_LIMIT_BUCKETS</c>. All are optional.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = FundamentOptions.Section;
    public const int DefaultRateLimitBuckets = 100_000;

    /// <summary>
    /// Rules over the default budgets, separated by <c>;</c>: <c>GROUP[.anonymous|.user]=COUNT/PERIOD [burst N]</c>
    /// or <c>=off</c>; the whole value <c>off</c> switches budgets off (see <see cref="RateLimitPolicies"/>).
    /// </summary>
    /// <example><c>FUNDAMENT_RATE_LIMITS="records=600/60s burst 100; records.anonymous=120/60s burst 30; auth=10/60s"</c></example>
    public string? RateLimits { get; set; }

    /// <summary>
    /// Proxies whose <c>X-Forwarded-For</c> is believed, as IP addresses or CIDR ranges separated by commas
    /// (<c>10.0.0.0/8, 127.0.0.1</c>). Empty (the default): the client is the connection's address, and the
    /// header is ignored, since anyone can send it.
    /// </summary>
    public string? TrustedProxies { get; set; }

    /// <summary>
    /// A Redis server that nodes share buckets through, as <c>redis://[[user]:password@]host[:port][/db]</c>
    /// (<c>rediss://</c> for TLS) or <c>host[:port]</c>. Empty (the default): each node keeps its own buckets.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>
    /// Most buckets one node keeps in memory. Past it, buckets that have refilled go first (forgetting them
    /// changes nothing), then the longest idle, so a flood of new addresses cannot grow memory without bound.
    /// </summary>
    [Range(100, 10_000_000)]
    public int RateLimitBuckets { get; set; } = DefaultRateLimitBuckets;
}

/// <summary>Checks the rules, proxies and Redis address at start-up, so a typo stops the server rather than a limit.</summary>
public sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    private readonly RateLimitOptionsAnnotations _annotations = new();

    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        var failures = new List<string>();
        var annotations = _annotations.Validate(name, options);
        if (annotations.Failed)
        {
            failures.AddRange(annotations.Failures);
        }

        failures.AddRange(RateLimitPolicies.Validate(options.RateLimits).Select(error => $"{nameof(RateLimitOptions.RateLimits)}: {error}"));
        if (!ClientAddress.TryParseNetworks(options.TrustedProxies, out _, out string proxyError))
        {
            failures.Add($"{nameof(RateLimitOptions.TrustedProxies)}: {proxyError}");
        }

        if (!string.IsNullOrWhiteSpace(options.Redis) && !RedisEndpoint.TryParse(options.Redis, out _, out string redisError))
        {
            failures.Add($"{nameof(RateLimitOptions.Redis)}: {redisError}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

[OptionsValidator]
internal sealed partial class RateLimitOptionsAnnotations : IValidateOptions<RateLimitOptions>;
