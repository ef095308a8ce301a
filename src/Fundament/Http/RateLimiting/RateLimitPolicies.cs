using System.Collections.Frozen;

namespace Fundament.Http.RateLimiting;

/// <summary>
/// The bucket shape of every route group, for anonymous callers (one bucket per client IP) and for
/// signed-in ones (one bucket per user, or per API key): the defaults below, then the operator's
/// <c>FUNDAMENT_RATE_LIMITS</c> rules on top.
/// </summary>
/// <remarks>
/// Rules are separated by <c>;</c>. Each is <c>GROUP[.anonymous|.user]=COUNT/PERIOD [burst N]</c> or
/// <c>GROUP[.anonymous|.user]=off</c>; a rule without <c>.anonymous</c>/<c>.user</c> sets both, and the
/// whole value <c>off</c> switches request budgets off. For example
/// <c>records=600/60s burst 100; records.anonymous=120/60s burst 30; realtime=off</c>.
/// </remarks>
public sealed class RateLimitPolicies
{
    public const string Off = "off";
    public const string Anonymous = "anonymous";
    public const string User = "user";

    private readonly FrozenDictionary<string, BucketPolicy?> _policies;

    private RateLimitPolicies(Dictionary<string, BucketPolicy?> policies) =>
        _policies = policies.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// The defaults: generous enough that an app's normal traffic never meets them (a page that loads 50
    /// records at once, a user clicking through an admin screen), tight enough that a script hammering a
    /// fresh install is slowed to a trickle. Auth follows <c>FUNDAMENT_AUTH_REQUESTS_PER_MINUTE</c>.
    /// </summary>
    public static string Defaults(int authRequestsPerMinute) =>
        "records.anonymous=10/1s burst 50; records.user=20/1s burst 100; " +
        $"auth.anonymous={authRequestsPerMinute}/60s; auth.user=60/60s burst 30; " +
        "admin.anonymous=30/60s burst 10; admin.user=10/1s burst 100; " +
        "realtime.anonymous=60/60s burst 30; realtime.user=120/60s burst 60; " +
        "inbound=20/1s burst 200; " +
        "default.anonymous=10/1s burst 50; default.user=20/1s burst 100";

    /// <summary>The bucket for <paramref name="group"/> and this kind of caller, or null when that budget is off.</summary>
    public BucketPolicy? Find(string group, bool anonymous) =>
        _policies.GetValueOrDefault(Name(group, anonymous ? Anonymous : User));

    /// <summary>Builds the table from the defaults and the configured rules; throws when the rules do not parse.</summary>
    public static RateLimitPolicies Create(string? configured, int authRequestsPerMinute)
    {
        var policies = new Dictionary<string, BucketPolicy?>(StringComparer.Ordinal);
        var errors = new List<string>();
        Apply(Defaults(authRequestsPerMinute), policies, errors);
        Apply(configured, policies, errors);
        return errors.Count == 0
            ? new RateLimitPolicies(policies)
            : throw new FormatException(string.Join("; ", errors));
    }

    /// <summary>Checks the operator's rules; returns every problem, or none.</summary>
    public static IReadOnlyList<string> Validate(string? configured)
    {
        var errors = new List<string>();
        Apply(configured, new Dictionary<string, BucketPolicy?>(StringComparer.Ordinal), errors);
        return errors;
    }

    private static void Apply(string? rules, Dictionary<string, BucketPolicy?> policies, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(rules))
        {
            return;
        }

        if (rules.Trim().Equals(Off, StringComparison.OrdinalIgnoreCase))
        {
            policies.Clear();
            foreach (string group in RateLimitGroups.All)
            {
                policies[Name(group, Anonymous)] = null;
                policies[Name(group, User)] = null;
            }

            return;
        }

        foreach (string rule in rules.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = rule.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                errors.Add($"'{rule}' is not GROUP=COUNT/PERIOD [burst N]");
                continue;
            }

            string target = rule[..equals].Trim().ToLowerInvariant();
            string value = rule[(equals + 1)..].Trim();
            int dot = target.IndexOf('.', StringComparison.Ordinal);
            string group = dot < 0 ? target : target[..dot];
            string? who = dot < 0 ? null : target[(dot + 1)..];
            if (!RateLimitGroups.All.Contains(group))
            {
                errors.Add($"'{group}' is not a rate-limit group ({string.Join(", ", RateLimitGroups.All)})");
                continue;
            }

            if (who is not (null or Anonymous or User))
            {
                errors.Add($"'{target}': after the group comes .{Anonymous} or .{User}");
                continue;
            }

            BucketPolicy? policy = null;
            if (!value.Equals(Off, StringComparison.OrdinalIgnoreCase) && !BucketPolicy.TryParse(value, out policy, out string error))
            {
                errors.Add($"{target}: {error}");
                continue;
            }

            if (who is null or Anonymous)
            {
                policies[Name(group, Anonymous)] = policy;
            }

            if (who is null or User)
            {
                policies[Name(group, User)] = policy;
            }
        }
    }

    private static string Name(string group, string who) => group + "." + who;
}
