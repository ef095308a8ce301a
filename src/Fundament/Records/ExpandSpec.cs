using Fundament.Collections;
using Fundament.Http;

namespace Fundament.Records;

/// <summary>
/// The relations to expand: <c>expand=author,category.parent</c> is a tree of relation fields, each
/// level resolved with one query per field for the whole page (never one query per record).
/// </summary>
public sealed record ExpandSpec(IReadOnlyList<ExpandSpec.Node> Nodes)
{
    public const int MaxDepth = 3;
    public const int MaxNodes = 16;

    public sealed record Node(Field Field, Collection Target, IReadOnlyList<Node> Children);

    public static Outcome<ExpandSpec?> Parse(string text, Collection collection, SchemaSnapshot schema)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Outcome<ExpandSpec?>.From(null);
        }

        var paths = text.Split(',', StringSplitOptions.TrimEntries);
        if (paths.Length > MaxNodes)
        {
            return Invalid($"at most {MaxNodes} relations can be expanded");
        }

        var roots = new List<MutableNode>();
        foreach (var path in paths)
        {
            var parts = path.Split('.');
            if (parts.Length > MaxDepth)
            {
                return Invalid($"'{path}' is nested deeper than {MaxDepth} levels");
            }

            var level = roots;
            var current = collection;
            foreach (var part in parts)
            {
                if (current.FindField(part) is not { IsRelation: true } field || schema.Find(field.Target!) is not { } target)
                {
                    return Invalid($"'{part}' is not a relation field of {current.Name}");
                }

                var node = level.Find(n => n.Field == field);
                if (node is null)
                {
                    node = new MutableNode(field, target, []);
                    level.Add(node);
                }

                level = node.Children;
                current = target;
            }
        }

        return new ExpandSpec(roots.Select(r => r.Freeze()).ToArray());
    }

    private sealed record MutableNode(Field Field, Collection Target, List<MutableNode> Children)
    {
        public Node Freeze() => new(Field, Target, Children.Select(c => c.Freeze()).ToArray());
    }

    private static ApiError Invalid(string message) =>
        ApiError.BadRequest("Invalid query parameter 'expand': " + message, [new ErrorDetail("expand", message)]);
}
