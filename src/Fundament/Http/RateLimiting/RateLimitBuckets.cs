using Microsoft.Extensions.Logging;

namespace Fundament.Http.RateLimiting;

/// <summary>
/// Where buckets live: in Redis when <see cref="RateLimitOptions.Redis"/> is set, else in this process. When
/// Redis cannot be reached the node falls back to its own buckets and says so once in the log, then tries
/// Redis again every few seconds with a single request while the others carry on locally. A rate limiter
/// must never turn an outage elsewhere into errors here: during the outage each node enforces its budgets
/// alone, so a client spread over N nodes may get up to N times its budget.
/// </summary>
public sealed partial class RateLimitBuckets(LocalTokenBuckets local, RedisTokenBuckets? shared, ILogger<RateLimitBuckets> logger,
    TimeSpan? retryRedisAfter = null) : IDisposable
{
    /// <summary>How long a node that lost Redis waits before it sends one request to try it again.</summary>
    public static readonly TimeSpan DefaultRetryRedisAfter = TimeSpan.FromSeconds(5);

    private readonly long _retryMilliseconds = (long)(retryRedisAfter ?? DefaultRetryRedisAfter).TotalMilliseconds;

    // Environment.TickCount64 until which Redis is skipped; 0 while it answers.
    private long _downUntil;
    private int _probing;

    /// <summary>True while buckets are shared through Redis (false without Redis, or while it is unreachable).</summary>
    public bool IsShared => shared is not null && Volatile.Read(ref _downUntil) == 0;

    /// <summary>Takes a token from the bucket <paramref name="key"/>; never throws for an unreachable Redis.</summary>
    public async ValueTask<BucketState> TakeAsync(string key, BucketPolicy policy)
    {
        if (shared is null || !TryUseRedis(out bool probe))
        {
            return local.Take(key, policy);
        }

        try
        {
            var state = await shared.TakeAsync(key, policy);
            if (probe)
            {
                Volatile.Write(ref _downUntil, 0);
                LogRedisBack(logger, shared.Endpoint.ToString());
            }

            return state;
        }
        catch (RedisBusyException)
        {
            // Saturation, not an outage: this request is limited locally and Redis stays in use.
            return local.Take(key, policy);
        }
        catch (Exception ex)
        {
            // Whatever went wrong — refused, timed out, a bad password, a reply we do not understand — the
            // request still deserves an answer, so it is limited locally.
            if (Interlocked.Exchange(ref _downUntil, Environment.TickCount64 + _retryMilliseconds) == 0)
            {
                LogRedisDown(logger, shared.Endpoint.ToString(), ex.Message);
            }

            return local.Take(key, policy);
        }
        finally
        {
            if (probe)
            {
                Volatile.Write(ref _probing, 0);
            }
        }
    }

    public void Dispose() => shared?.Dispose();

    private bool TryUseRedis(out bool probe)
    {
        probe = false;
        long downUntil = Volatile.Read(ref _downUntil);
        if (downUntil == 0)
        {
            return true;
        }

        if (Environment.TickCount64 < downUntil)
        {
            return false;
        }

        probe = Interlocked.CompareExchange(ref _probing, 1, 0) == 0;
        return probe;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis at {Endpoint} is unreachable ({Reason}); rate limits use this node's own buckets until it answers again")]
    private static partial void LogRedisDown(ILogger logger, string endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis at {Endpoint} answers again; rate limits are shared across nodes")]
    private static partial void LogRedisBack(ILogger logger, string endpoint);
}
