using System.Collections.Frozen;
using System.Text.Json;
using Fundament.Collections.Fields;

namespace Fundament.Collections;

/// <summary>
/// A collection resolved for use: its fields with types, system fields included, in column order
/// (<c>id</c>, the collection's fields, <c>created_at</c>, <c>updated_at</c>, then <c>deleted_at</c>
/// when soft delete is on). Immutable; a schema change builds a new one.
/// </summary>
public sealed class Collection
{
    public const string IdField = "id";
    public const string CreatedAtField = "created_at";
    public const string UpdatedAtField = "updated_at";
    public const string DeletedAtField = "deleted_at";

    /// <summary>Field names that collections may not define, because the server owns them.</summary>
    public static readonly FrozenSet<string> SystemFieldNames =
        new[] { IdField, CreatedAtField, UpdatedAtField, DeletedAtField, "expand" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private readonly FrozenDictionary<string, Field> _byName;

    private Collection(CollectionDefinition definition)
    {
        Definition = definition;
        Id = new Field(new FieldDefinition { Name = IdField, Type = "id" }, FieldTypes.SystemId, isSystem: true, defaultValue: null);
        CreatedAt = new Field(new FieldDefinition { Name = CreatedAtField, Type = "datetime" }, FieldTypes.DateTime, isSystem: true, defaultValue: null);
        UpdatedAt = new Field(new FieldDefinition { Name = UpdatedAtField, Type = "datetime" }, FieldTypes.DateTime, isSystem: true, defaultValue: null);
        DeletedAt = definition.SoftDelete
            ? new Field(new FieldDefinition { Name = DeletedAtField, Type = "datetime" }, FieldTypes.DateTime, isSystem: true, defaultValue: null)
            : null;

        UserFields = definition.Fields.Select(CreateField).ToArray();
        var all = new List<Field>(UserFields.Count + 4) { Id };
        all.AddRange(UserFields);
        all.Add(CreatedAt);
        all.Add(UpdatedAt);
        if (DeletedAt is not null)
        {
            all.Add(DeletedAt);
        }

        Fields = all;
        _byName = all.ToFrozenDictionary(field => field.Name, StringComparer.Ordinal);
        VisibleFields = all.Where(field => !field.Hidden).ToArray();
    }

    public CollectionDefinition Definition { get; }

    public string Name => Definition.Name;

    /// <summary>The table that holds the records; the collection name, validated at creation.</summary>
    public string Table => Definition.Name;

    public bool SoftDelete => Definition.SoftDelete;

    public bool IsAuth => Definition.Type == CollectionType.Auth;

    public Field Id { get; }

    public Field CreatedAt { get; }

    public Field UpdatedAt { get; }

    public Field? DeletedAt { get; }

    /// <summary>Every column, system fields included, in table order.</summary>
    public IReadOnlyList<Field> Fields { get; }

    /// <summary>The fields a client may return or select (not hidden ones such as passwords).</summary>
    public IReadOnlyList<Field> VisibleFields { get; }

    /// <summary>The fields the collection defines, in definition order.</summary>
    public IReadOnlyList<Field> UserFields { get; }

    public Field? FindField(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The position of <paramref name="field"/> in <see cref="Fields"/>.</summary>
    public int IndexOf(Field field)
    {
        for (int i = 0; i < Fields.Count; i++)
        {
            if (ReferenceEquals(Fields[i], field))
            {
                return i;
            }
        }

        throw new ArgumentException($"Field {field.Name} is not part of {Name}.", nameof(field));
    }

    /// <summary>Builds the runtime form of a definition that has passed collection validation.</summary>
    public static Collection Create(CollectionDefinition definition) => new(definition);

    internal static Field CreateField(FieldDefinition definition)
    {
        var type = FieldTypes.Find(definition.Type) ?? throw new InvalidOperationException($"Unknown field type '{definition.Type}'.");
        object? defaultValue = null;
        if (definition.Default is { ValueKind: not JsonValueKind.Null } json)
        {
            var probe = new Field(definition, type, isSystem: false, defaultValue: null);
            if (!type.TryConvert(probe, json, out defaultValue, out var error))
            {
                throw new InvalidOperationException($"Default of '{definition.Name}' {error}.");
            }
        }

        return new Field(definition, type, isSystem: false, defaultValue);
    }

    public override string ToString() => Name;
}
