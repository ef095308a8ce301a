using System.Text;
using Fundament.Collections;

namespace Fundament.OpenApi;

/// <summary>The names one collection gets in the document: its schema names and operation ids.</summary>
internal sealed record CollectionApi(Collection Collection, string TypeName)
{
    /// <summary>
    /// Type names a collection cannot have, because a built-in part of the document already uses what they would
    /// produce: list{Type} as an operation id (ListApiKeys, ListWebhookDeliveries, ListInboundHooks,
    /// ListInboundHookEvents), or {Type}Patch as a schema (CollectionPatch). A collection such as <c>api_keys</c>
    /// gets a number instead (ApiKeys2), as look-alike names do. Names the server reserves (jobs, webhooks, …)
    /// cannot be collections, so they need no entry.
    /// </summary>
    private static readonly string[] ReservedTypeNames = ["ApiKeys", "WebhookDeliveries", "InboundHooks", "InboundHookEvents", "Collection"];

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
        var taken = new HashSet<string>(ReservedTypeNames, StringComparer.OrdinalIgnoreCase);
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
