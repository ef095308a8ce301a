using System.Runtime.InteropServices;

namespace Fundament.Http.RateLimiting;

/// <summary>What taking a token left behind: whether the request may go ahead and the tokens now in the bucket.</summary>
public readonly record struct BucketState(bool Allowed, double Tokens);

/// <summary>
/// Token buckets in this process. Keys hash onto 64 stripes, each a dictionary under its own lock, so
/// requests for different clients rarely wait on each other. Memory is bounded: a stripe that reaches
/// its share of <see cref="RateLimitOptions.RateLimitBuckets"/> first drops buckets that have refilled
/// (a full bucket and no bucket behave the same), then the least recently used quarter.
/// </summary>
public sealed class LocalTokenBuckets
{
    private const int StripeCount = 64;
    private readonly Stripe[] _stripes;
    private readonly TimeProvider _clock;

    public LocalTokenBuckets(TimeProvider clock, int maxBuckets)
    {
        _clock = clock;
        int perStripe = Math.Max(16, maxBuckets / StripeCount);
        _stripes = new Stripe[StripeCount];
        for (int i = 0; i < StripeCount; i++)
        {
            _stripes[i] = new Stripe(perStripe);
        }
    }

    /// <summary>Buckets held right now, across all stripes.</summary>
    public int Count
    {
        get
        {
            int count = 0;
            foreach (var stripe in _stripes)
            {
                lock (stripe)
                {
                    count += stripe.Buckets.Count;
                }
            }

            return count;
        }
    }

    /// <summary>Refills the bucket for the time that passed and takes one token if there is one.</summary>
    public BucketState Take(string key, BucketPolicy policy)
    {
        long now = _clock.GetUtcNow().UtcTicks;
        var stripe = _stripes[(uint)StringComparer.Ordinal.GetHashCode(key) % StripeCount];
        lock (stripe)
        {
            if (stripe.Buckets.Count >= stripe.Max && !stripe.Buckets.ContainsKey(key))
            {
                stripe.Evict(now);
            }

            ref var bucket = ref CollectionsMarshal.GetValueRefOrAddDefault(stripe.Buckets, key, out bool exists);
            if (!exists)
            {
                bucket = new Bucket { Tokens = policy.Capacity, UpdatedTicks = now };
            }

            double perTick = policy.TokensPerSecond / TimeSpan.TicksPerSecond;
            double tokens = Math.Min(policy.Capacity, bucket.Tokens + (Math.Max(0, now - bucket.UpdatedTicks) * perTick));
            // Refills add up in floating point; a token that is one rounding error short is still a token.
            bool allowed = tokens >= 1 - 1e-9;
            if (allowed)
            {
                tokens = Math.Max(0, tokens - 1);
            }

            bucket.Tokens = tokens;
            bucket.UpdatedTicks = Math.Max(now, bucket.UpdatedTicks);
            bucket.FullTicks = bucket.UpdatedTicks + (long)Math.Ceiling((policy.Capacity - tokens) / perTick);
            return new BucketState(allowed, tokens);
        }
    }

    private struct Bucket
    {
        public double Tokens;
        public long UpdatedTicks;

        // When the bucket will be full again; from then on it can be forgotten.
        public long FullTicks;
    }

    private sealed class Stripe(int max)
    {
        public readonly Dictionary<string, Bucket> Buckets = new(StringComparer.Ordinal);
        public readonly int Max = max;

        public void Evict(long now)
        {
            foreach (var (key, bucket) in Buckets)
            {
                if (bucket.FullTicks <= now)
                {
                    Buckets.Remove(key);
                }
            }

            if (Buckets.Count < Max)
            {
                return;
            }

            // Every bucket is still draining: a flood of fresh clients. Forgetting the idlest quarter hands
            // them a full bucket again, which errs towards letting a request through rather than growing.
            var oldest = new KeyValuePair<long, string>[Buckets.Count];
            int i = 0;
            foreach (var (key, bucket) in Buckets)
            {
                oldest[i++] = new(bucket.UpdatedTicks, key);
            }

            Array.Sort(oldest, static (a, b) => a.Key.CompareTo(b.Key));
            for (i = 0; i < Max / 4; i++)
            {
                Buckets.Remove(oldest[i].Value);
            }
        }
    }
}
