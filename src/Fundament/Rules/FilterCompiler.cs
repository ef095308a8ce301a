using Fundament.Collections;
using Fundament.Http;

namespace Fundament.Rules;

/// <summary>Parses filter expressions (shared/API.md, "Filter language") and checks them against a collection.</summary>
public static class FilterCompiler
{
    /// <summary>The error detail's field when the caller names none: the <c>filter</c> query parameter.</summary>
    public const string DefaultDetailField = "filter";

    /// <summary>
    /// Parses and checks <paramref name="expression"/>. Errors are 400 BAD_REQUEST with the position of the problem.
    /// </summary>
    public static Outcome<CompiledFilter> Compile(string expression, Collection collection, SchemaSnapshot schema) =>
        Compile(expression, collection, schema, DefaultDetailField);

    /// <summary>
    /// Parses and checks <paramref name="expression"/>, reporting errors under <paramref name="detailField"/>
    /// (for example <c>listRule</c> when a collection's rule is being saved).
    /// </summary>
    /// <example><c>FilterCompiler.Compile("author = @request.auth.id", posts, schema, "listRule")</c></example>
    public static Outcome<CompiledFilter> Compile(string expression, Collection collection, SchemaSnapshot schema, string detailField)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(schema);
        if (!Parser.TryParse(expression ?? string.Empty, out var node, out var error))
        {
            return error.ToApiError(detailField);
        }

        var binder = new ConditionBinder(collection, schema);
        var condition = binder.Bind(node!);
        return condition is null
            ? binder.Error.ToApiError(detailField)
            : new CompiledFilter(expression!, condition, binder.UsesRelations, binder.RelationTargets);
    }
}
