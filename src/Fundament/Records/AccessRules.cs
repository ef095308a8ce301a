using Fundament.Collections;
using Fundament.Http;
using Fundament.Rules;

namespace Fundament.Records;

public enum RuleAction
{
    List,
    View,
    Create,
    Update,
    Delete,
}

/// <summary>
/// A collection's access rule for one action, as it applies to one caller: superusers pass,
/// <c>null</c> rules forbid everyone else, <c>""</c> allows anyone, and an expression becomes a
/// condition inside the query (never a filter applied to loaded rows).
/// </summary>
public sealed class AccessRules(FilterCache filters)
{
    public FilterCache Filters { get; } = filters;

    /// <summary>
    /// The condition the caller's rows must meet: null when unrestricted, or a 403 when the rule
    /// is superusers-only.
    /// </summary>
    public Outcome<CompiledFilter?> For(Collection collection, SchemaSnapshot schema, RuleAction action, Caller caller)
    {
        if (caller.IsSuperuser)
        {
            return Outcome<CompiledFilter?>.From(null);
        }

        string? rule = RuleText(collection.Definition, action);
        if (rule is null)
        {
            return ApiError.Forbidden($"Only superusers can {Verb(action)} records of '{collection.Name}'");
        }

        if (rule.Length == 0)
        {
            return Outcome<CompiledFilter?>.From(null);
        }

        var compiled = Filters.GetOrCompile(rule, collection, schema, RuleName(action));
        // Rules are checked when a collection is saved; one that no longer compiles (a field it named
        // was removed) denies access rather than opening it.
        return compiled.IsSuccess
            ? compiled.Value
            : ApiError.Forbidden($"The {RuleName(action)} of '{collection.Name}' is invalid; only superusers can {Verb(action)} its records");
    }

    public static string? RuleText(CollectionDefinition definition, RuleAction action) => action switch
    {
        RuleAction.List => definition.ListRule,
        RuleAction.View => definition.ViewRule,
        RuleAction.Create => definition.CreateRule,
        RuleAction.Update => definition.UpdateRule,
        _ => definition.DeleteRule,
    };

    public static string RuleName(RuleAction action) => action switch
    {
        RuleAction.List => "listRule",
        RuleAction.View => "viewRule",
        RuleAction.Create => "createRule",
        RuleAction.Update => "updateRule",
        _ => "deleteRule",
    };

    private static string Verb(RuleAction action) => action switch
    {
        RuleAction.List => "list",
        RuleAction.View => "view",
        RuleAction.Create => "create",
        RuleAction.Update => "update",
        _ => "delete",
    };
}
