using Fundament.Collections;
using Fundament.Collections.Fields;
using Fundament.Data;
using Fundament.Http;

namespace Fundament.Rules;

/// <summary>One key of an <c>ORDER BY</c>.</summary>
public sealed record SortKey(Field Field, bool Descending);

/// <summary>
/// Parses the <c>sort</c> parameter: comma-separated field names, each optionally prefixed by <c>-</c>
/// for descending order (<c>sort=-created_at,title</c>).
/// </summary>
public static class SortCompiler
{
    public const int MaxKeys = 8;

    private const string DetailField = "sort";

    /// <summary>Returns the keys in order; an empty or absent parameter gives no keys.</summary>
    public static Outcome<IReadOnlyList<SortKey>> Compile(string? sort, Collection collection)
    {
        ArgumentNullException.ThrowIfNull(collection);
        if (string.IsNullOrWhiteSpace(sort))
        {
            return Array.Empty<SortKey>();
        }

        var items = sort.Split(',');
        if (items.Length > MaxKeys)
        {
            return Invalid($"at most {MaxKeys} sort keys are allowed");
        }

        var keys = new List<SortKey>(items.Length);
        foreach (string raw in items)
        {
            string item = raw.Trim();
            bool descending = item.StartsWith('-');
            string name = descending ? item[1..] : item;
            if (name.Length == 0)
            {
                return Invalid("empty sort key");
            }

            // Hidden fields are reported as unknown, so sorting cannot probe for them.
            var field = collection.FindField(name);
            if (field is null || field.Hidden)
            {
                return Invalid($"unknown field '{FilterError.Shorten(name)}'");
            }

            if (field.SqlType == SqlType.Json)
            {
                string kind = field.Type is SelectField ? "a multiple select" : "JSON";
                return Invalid($"'{name}' is {kind} and cannot be sorted");
            }

            foreach (var key in keys)
            {
                if (key.Field == field)
                {
                    return Invalid($"'{name}' appears more than once");
                }
            }

            keys.Add(new SortKey(field, descending));
        }

        return keys;
    }

    private static ApiError Invalid(string problem) =>
        ApiError.BadRequest("Invalid sort: " + problem, [new ErrorDetail(DetailField, problem)]);
}
