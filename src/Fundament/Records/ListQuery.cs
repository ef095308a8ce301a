using System.Globalization;
using Fundament.Collections;
using Fundament.Http;
using Fundament.Rules;
using Microsoft.AspNetCore.Http;
using SortKey = Fundament.Rules.SortKey;

namespace Fundament.Records;

public enum DeletedMode
{
    Exclude,
    Include,
    Only,
}

/// <summary>
/// The parameters of a list request (shared/API.md, "Records"), parsed and checked against the
/// collection: page/limit or cursor, sort, fields, filter, expand, total and deleted.
/// </summary>
public sealed record ListQuery
{
    public int Page { get; init; } = 1;

    public int Limit { get; init; } = FundamentOptions.DefaultPageSize;

    /// <summary>Non-null in cursor mode; empty for the first page.</summary>
    public string? Cursor { get; init; }

    public IReadOnlyList<SortKey> Sort { get; init; } = [];

    public string SortText { get; init; } = string.Empty;

    public CompiledFilter? Filter { get; init; }

    public IReadOnlySet<string>? Fields { get; init; }

    public ExpandSpec? Expand { get; init; }

    public bool Total { get; init; } = true;

    public DeletedMode Deleted { get; init; }

    private static readonly string[] Known = ["page", "limit", "cursor", "sort", "fields", "filter", "expand", "total", "deleted"];

    public static Outcome<ListQuery> Parse(IQueryCollection query, Collection collection, SchemaSnapshot schema, Caller caller, FilterCache filters)
    {
        foreach (var name in Known)
        {
            if (query[name].Count > 1)
            {
                return ApiError.BadRequest($"Query parameter '{name}' is given more than once");
            }
        }

        var result = new ListQuery();
        if (query.TryGetValue("limit", out var limitText))
        {
            if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out int limit) || limit is < 1 or > FundamentOptions.DefaultMaxPageSize)
            {
                return Invalid("limit", $"must be a whole number from 1 to {FundamentOptions.DefaultMaxPageSize}");
            }

            result = result with { Limit = limit };
        }

        if (query.TryGetValue("cursor", out var cursor))
        {
            if (query.ContainsKey("page"))
            {
                return Invalid("cursor", "cannot be combined with page");
            }

            result = result with { Cursor = cursor.ToString(), Total = false };
        }
        else if (query.TryGetValue("page", out var pageText))
        {
            if (!int.TryParse(pageText, NumberStyles.None, CultureInfo.InvariantCulture, out int page) || page is < 1 or > 1_000_000)
            {
                return Invalid("page", "must be a whole number from 1 to 1000000");
            }

            result = result with { Page = page };
        }

        if (query.TryGetValue("total", out var total))
        {
            if (!bool.TryParse(total, out bool withTotal))
            {
                return Invalid("total", "must be true or false");
            }

            if (withTotal && result.Cursor is not null)
            {
                return Invalid("total", "is not available with cursor pagination");
            }

            result = result with { Total = withTotal };
        }

        if (query.TryGetValue("deleted", out var deleted))
        {
            var mode = deleted.ToString() switch
            {
                "include" => DeletedMode.Include,
                "only" => DeletedMode.Only,
                "exclude" => DeletedMode.Exclude,
                _ => (DeletedMode?)null,
            };
            if (mode is null)
            {
                return Invalid("deleted", "must be include, only or exclude");
            }

            if (mode != DeletedMode.Exclude && !caller.IsSuperuser)
            {
                return ApiError.Forbidden("Only superusers can list deleted records");
            }

            if (mode != DeletedMode.Exclude && !collection.SoftDelete)
            {
                return Invalid("deleted", $"'{collection.Name}' does not use soft delete");
            }

            result = result with { Deleted = mode.Value };
        }

        string sortText = query["sort"].ToString();
        var sort = SortCompiler.Compile(sortText, collection);
        if (!sort.IsSuccess)
        {
            return sort.Error;
        }

        result = result with { Sort = sort.Value, SortText = sortText };
        if (query.TryGetValue("filter", out var filterText) && !string.IsNullOrWhiteSpace(filterText))
        {
            var filter = filters.GetOrCompile(filterText.ToString(), collection, schema);
            if (!filter.IsSuccess)
            {
                return filter.Error;
            }

            // A relation path reads the target's records inside the query, where the target's own view
            // rule does not apply; until it does, clients may only filter through publicly viewable targets.
            foreach (var target in caller.IsSuperuser ? Enumerable.Empty<string>() : filter.Value.RelationTargets)
            {
                if (schema.Find(target)?.Definition.ViewRule is not "")
                {
                    return Invalid("filter", $"cannot filter through relations into '{target}', whose records are not public");
                }
            }

            result = result with { Filter = filter.Value };
        }

        var fields = ParseFields(query["fields"].ToString(), collection);
        if (!fields.IsSuccess)
        {
            return fields.Error;
        }

        var expand = ExpandSpec.Parse(query["expand"].ToString(), collection, schema);
        if (!expand.IsSuccess)
        {
            return expand.Error;
        }

        return result with { Fields = fields.Value, Expand = expand.Value };
    }

    /// <summary>Parses <c>fields=id,title</c>; null means every visible field.</summary>
    public static Outcome<IReadOnlySet<string>?> ParseFields(string text, Collection collection)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Outcome<IReadOnlySet<string>?>.From(null);
        }

        var selection = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in text.Split(','))
        {
            string name = raw.Trim();
            if (name != "expand" && collection.FindField(name) is not { Hidden: false })
            {
                return Invalid("fields", $"'{name}' is not a field of {collection.Name}");
            }

            selection.Add(name);
        }

        return selection;
    }

    private static ApiError Invalid(string parameter, string message) =>
        ApiError.BadRequest($"Invalid query parameter '{parameter}': {message}", [new ErrorDetail(parameter, message)]);
}
