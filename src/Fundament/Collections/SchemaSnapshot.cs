using System.Collections.Frozen;

namespace Fundament.Collections;

/// <summary>All collections at one schema version; replaced as a whole on every schema change.</summary>
public sealed class SchemaSnapshot
{
    public static readonly SchemaSnapshot Empty = new([], 0);

    private readonly FrozenDictionary<string, Collection> _byName;

    public SchemaSnapshot(IEnumerable<Collection> collections, long version)
    {
        _byName = collections.ToFrozenDictionary(collection => collection.Name, StringComparer.Ordinal);
        Version = version;
    }

    /// <summary>Changes whenever any collection changes; caches of compiled queries key on it.</summary>
    public long Version { get; }

    public IEnumerable<Collection> Collections => _byName.Values.OrderBy(collection => collection.Name, StringComparer.Ordinal);

    public Collection? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Collections with a relation field that targets <paramref name="name"/>.</summary>
    public IEnumerable<(Collection Collection, Field Field)> ReferencesTo(string name) =>
        from collection in _byName.Values
        from field in collection.UserFields
        where field.IsRelation && field.Target == name
        select (collection, field);
}
