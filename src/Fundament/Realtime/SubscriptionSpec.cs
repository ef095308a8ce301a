using Fundament.Http;
using Fundament.Toolkit;

namespace Fundament.Realtime;

/// <summary>What one stream asked to hear about in one collection: every record, or the records with some ids; and an optional filter.</summary>
internal sealed record SubscriptionSpec(string Collection, IReadOnlySet<string>? RecordIds, string? Filter)
{
    /// <summary>Subscriptions one stream may hold.</summary>
    public const int MaxPerStream = 50;

    public const string CollectionsParameter = "collections";
    public const string FilterParameter = "filter";

    /// <summary>
    /// Reads <c>?collections=posts,notes/{id}&amp;filter=…</c>. Each collection appears once: as a whole, or
    /// as one or more record ids. The filter applies to every one of them.
    /// </summary>
    public static Outcome<List<SubscriptionSpec>> Parse(string? collections, string? filter)
    {
        if (string.IsNullOrWhiteSpace(collections))
        {
            return Invalid("name at least one collection: ?collections=posts or ?collections=posts/{id}");
        }

        var items = collections.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (items.Length > MaxPerStream)
        {
            return Invalid($"at most {MaxPerStream} subscriptions per stream");
        }

        var wholes = new HashSet<string>(StringComparer.Ordinal);
        var ids = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (string item in items)
        {
            int slash = item.IndexOf('/', StringComparison.Ordinal);
            string name = slash < 0 ? item : item[..slash];
            if (name.Length == 0)
            {
                return Invalid($"'{Shorten(item)}' names no collection");
            }

            if (slash < 0)
            {
                wholes.Add(name);
                continue;
            }

            if (!Uuids.TryNormalize(item[(slash + 1)..], out var id))
            {
                return Invalid($"'{Shorten(item)}' does not end in a valid record id");
            }

            (ids.TryGetValue(name, out var set) ? set : ids[name] = new HashSet<string>(StringComparer.Ordinal)).Add(id);
        }

        var specs = new List<SubscriptionSpec>(wholes.Count + ids.Count);
        string? text = string.IsNullOrEmpty(filter) ? null : filter;
        foreach (string name in wholes)
        {
            if (ids.ContainsKey(name))
            {
                return Invalid($"'{Shorten(name)}' is subscribed as a whole and by record id; choose one");
            }

            specs.Add(new SubscriptionSpec(name, null, text));
        }

        foreach (var (name, set) in ids)
        {
            specs.Add(new SubscriptionSpec(name, set, text));
        }

        return specs;
    }

    private static ApiError Invalid(string problem) =>
        ApiError.BadRequest("Invalid subscription: " + problem, [new ErrorDetail(CollectionsParameter, problem)]);

    private static string Shorten(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 80), "…");
}
