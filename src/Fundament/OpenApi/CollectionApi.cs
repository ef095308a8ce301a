using System.Text;
using Fundament.Collections;

namespace Fundament.OpenApi;

/// <summary>The names one collection gets in the document: its schema names and operation ids.</summary>
internal sealed record CollectionApi(Collection Collection, string TypeName)
{
    public string Name => Collection.Name;

    public string RecordSchema => TypeName + "Record";

    public string InputSchema => TypeName + "Input";

    public string PatchSchema => TypeName + "Patch";

    public string ListPath => "/api/" + Name;

    public string RecordPath => "/api/" + Name + "/{id}";

    public string RestorePath => "/api/" + Name + "/{id}/restore";

    /// <summary>Names every collection of <paramref name="schema"/>, in name order, with distinct type names.</summary>
    public static IReadOnlyList<CollectionApi> For(SchemaSnapshot schema)
    {
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var result = new List<CollectionApi>();
        foreach (var collection in schema.Collections)
        {
            // blog_posts and blogposts would both become BlogPosts (case-insensitively): the later one gets a number.
            string typeName = Pascal(collection.Name);
            string unique = typeName;
            for (int n = 2; !taken.Add(unique); n++)
            {
                unique = typeName + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            result.Add(new CollectionApi(collection, unique));
        }

        return result;
    }

    /// <summary>Turns <c>blog_posts</c> into <c>BlogPosts</c>; collection names are only a-z, 0-9 and _.</summary>
    public static string Pascal(string name)
    {
        var builder = new StringBuilder(name.Length);
        bool upper = true;
        foreach (char c in name)
        {
            if (c == '_')
            {
                upper = true;
                continue;
            }

            builder.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        return builder.Length == 0 ? "Collection" : builder.ToString();
    }
}
