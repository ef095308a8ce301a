using Fundament.Collections;
using Fundament.Http;
using Fundament.Records;
using Fundament.Rules;

namespace Fundament.Realtime;

/// <summary>
/// A <see cref="SubscriptionSpec"/> compiled for one caller against one schema: the conditions a record
/// must meet to reach the stream. They are what a GET would need — the <c>viewRule</c> for a record
/// subscription; the <c>listRule</c> and the <c>viewRule</c> for a whole collection, since a live list may
/// show only what the list would and every event carries the whole record — plus the stream's filter.
/// </summary>
internal sealed class SubscriptionRules(long schemaVersion, Collection collection, CompiledFilter[] filters, IReadOnlySet<string>? recordIds)
{
    public long SchemaVersion { get; } = schemaVersion;

    public Collection Collection { get; } = collection;

    public CompiledFilter[] Filters { get; } = filters;

    public IReadOnlySet<string>? RecordIds { get; } = recordIds;

    /// <summary>
    /// Compiles <paramref name="spec"/>; the errors are the records API's: 404 for an unknown collection,
    /// 403 when the caller may not read it, 400 (with the position) for a filter that does not compile.
    /// </summary>
    public static Outcome<SubscriptionRules> Compile(SubscriptionSpec spec, SchemaSnapshot schema, Caller caller, AccessRules rules)
    {
        if (schema.Find(spec.Collection) is not { } collection)
        {
            return ApiError.NotFound($"Collection '{spec.Collection}' not found");
        }

        if (!caller.Allows(collection.Name, write: false))
        {
            return ApiError.Forbidden($"The API key has no scope to read '{collection.Name}'");
        }

        var filters = new List<CompiledFilter>(3);
        RuleAction[] actions = spec.RecordIds is null ? [RuleAction.List, RuleAction.View] : [RuleAction.View];
        foreach (var action in actions)
        {
            var rule = rules.For(collection, schema, action, caller);
            if (!rule.IsSuccess)
            {
                return rule.Error;
            }

            // The two rules are often the same text, so the same cached filter: judge it once.
            if (rule.Value is { } condition && !filters.Contains(condition))
            {
                filters.Add(condition);
            }
        }

        if (spec.Filter is { } text)
        {
            var filter = rules.Filters.GetOrCompile(text, collection, schema);
            if (!filter.IsSuccess)
            {
                return filter.Error;
            }

            filters.Add(filter.Value);
        }

        return new SubscriptionRules(schema.Version, collection, [.. filters], spec.RecordIds);
    }
}
