using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Fundament.Http.RateLimiting;

/// <summary>
/// Token buckets kept in Redis, so that every node behind a load balancer draws on the same budget.
/// One Lua script refills and takes atomically (Redis runs a script alone), called by its SHA1 with
/// EVALSHA and sent in full with EVAL only when the server does not have it cached yet (NOSCRIPT).
/// Each bucket is a hash that expires once it would have refilled, so idle clients cost nothing.
/// </summary>
public sealed class RedisTokenBuckets(RedisConnection redis, TimeProvider clock) : IDisposable
{
    public const string KeyPrefix = "fundament:ratelimit:";

    // KEYS[1] the bucket; ARGV capacity, tokens per millisecond, now in Unix milliseconds.
    // "now" comes from the node, not redis.call('TIME'), so every node's clock is read the same way as in the
    // local buckets; a node whose clock lags is clamped (time never runs backwards for a bucket).
    // Numbers go back as strings because Redis truncates Lua numbers in replies to integers.
    internal const string Script = """
        local capacity = tonumber(ARGV[1])
        local rate = tonumber(ARGV[2])
        local now = tonumber(ARGV[3])
        local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
        local tokens = tonumber(state[1]) or capacity
        local at = tonumber(state[2]) or now
        tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
        at = math.max(at, now)
        local allowed = 0
        if tokens >= 1 - 1e-9 then
          tokens = math.max(0, tokens - 1)
          allowed = 1
        end
        redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
        redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate) + 1000)
        return {allowed, tostring(tokens)}
        """;

    // Redis names cached scripts by SHA1; this is an identifier the protocol fixes, not a security use.
#pragma warning disable CA5350
    private static readonly string ScriptSha = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(Script)));
#pragma warning restore CA5350

    public RedisEndpoint Endpoint => redis.Endpoint;

    public void Dispose() => redis.Dispose();

    /// <summary>Refills the shared bucket and takes one token if there is one; throws when Redis cannot be reached.</summary>
    public async Task<BucketState> TakeAsync(string key, BucketPolicy policy)
    {
        string capacity = policy.Capacity.ToString(CultureInfo.InvariantCulture);
        string perMillisecond = (policy.TokensPerSecond / 1000).ToString("R", CultureInfo.InvariantCulture);
        string now = clock.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        object? reply;
        try
        {
            reply = await redis.ExecuteAsync("EVALSHA", ScriptSha, "1", KeyPrefix + key, capacity, perMillisecond, now);
        }
        catch (RedisErrorException error) when (error.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            reply = await redis.ExecuteAsync("EVAL", Script, "1", KeyPrefix + key, capacity, perMillisecond, now);
        }

        return reply is object?[] { Length: 2 } parts && parts[0] is long allowed && parts[1] is string tokens
            ? new BucketState(allowed == 1, double.Parse(tokens, CultureInfo.InvariantCulture))
            : throw new IOException("Redis answered the token-bucket script with an unexpected reply");
    }
}
