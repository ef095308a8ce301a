using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace Fundament.Webhooks.Outbound;

/// <summary>
/// Event types (<c>{collection}.created|updated|deleted</c>) and the patterns a webhook subscribes with:
/// <c>*</c> for everything, <c>posts.*</c> for every event of one collection, <c>posts.created</c> for one.
/// Patterns may name collections that do not exist yet; only their shape is checked.
/// </summary>
public static partial class WebhookEvents
{
    public const string Created = "created";
    public const string Updated = "updated";
    public const string Deleted = "deleted";

    /// <summary>The type of the event <c>POST /api/webhooks/{id}/test</c> sends; no pattern matches it.</summary>
    public const string Test = "webhook.test";

    public const string All = "*";

    public const int MaxPatterns = 100;

    [GeneratedRegex(@"^(\*|[a-z][a-z0-9_]{0,62}\.(\*|created|updated|deleted))$")]
    private static partial Regex PatternSyntax();

    public static bool IsValidPattern(string pattern) => pattern.Length <= 80 && PatternSyntax().IsMatch(pattern);

    public static string Type(string collection, string action) => collection + "." + action;

    /// <summary>The patterns of one webhook, prepared for matching on every record write.</summary>
    public sealed class Matcher
    {
        private readonly bool _all;
        private readonly FrozenSet<string> _types;
        private readonly FrozenSet<string> _wholeCollections;

        public Matcher(IReadOnlyCollection<string> patterns)
        {
            _all = patterns.Contains(All);
            _types = patterns.Where(p => !p.EndsWith(".*", StringComparison.Ordinal)).ToFrozenSet(StringComparer.Ordinal);
            _wholeCollections = patterns.Where(p => p.EndsWith(".*", StringComparison.Ordinal)).Select(p => p[..^2]).ToFrozenSet(StringComparer.Ordinal);
        }

        public bool Matches(string collection, string type) =>
            _all || _types.Contains(type) || _wholeCollections.Contains(collection);
    }
}
