using System.Data.Common;
using Fundament.Collections;
using Fundament.Data;

namespace Fundament.Records;

/// <summary>
/// One row of a collection: canonical stored values aligned with <see cref="Collection.Fields"/>,
/// plus the records its relations were expanded to.
/// </summary>
public sealed class Record(Collection collection, object?[] values)
{
    public Collection Collection { get; } = collection;

    public object?[] Values { get; } = values;

    public string Id => (string)Values[0]!;

    /// <summary>Expanded relations by field name; a null entry means the target is missing or not visible.</summary>
    public Dictionary<string, Record?>? Expand { get; set; }

    /// <summary>This record alone as UTF-8 JSON, once <see cref="RecordJson.Shared"/> has written it.</summary>
    internal byte[]? Json { get; set; }

    public object? this[Field field] => Values[Collection.IndexOf(field)];

    public object? Get(string fieldName) => Collection.FindField(fieldName) is { } field ? this[field] : null;

    /// <summary>Reads a row whose first columns are the collection's fields in table order.</summary>
    public static Record Read(DbDataReader reader, Collection collection, ISqlDialect dialect)
    {
        var fields = collection.Fields;
        var values = new object?[fields.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = dialect.Read(reader, i, fields[i].SqlType);
        }

        return new Record(collection, values);
    }

    /// <summary>The record's visible fields by name, for rule contexts (<c>@request.auth.*</c>).</summary>
    public Dictionary<string, object?> ToDictionary()
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (int i = 0; i < Values.Length; i++)
        {
            result[Collection.Fields[i].Name] = Values[i];
        }

        return result;
    }
}
