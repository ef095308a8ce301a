using System.Text.Json;
using System.Text.RegularExpressions;
using Fundament.Collections.Fields;
using Fundament.Data;

namespace Fundament.Collections;

/// <summary>A field resolved against its type: what queries, validation and JSON writing use.</summary>
public sealed class Field
{
    internal Field(FieldDefinition definition, FieldType type, bool isSystem, object? defaultValue)
    {
        Definition = definition;
        Type = type;
        IsSystem = isSystem;
        SqlType = type.StorageType(definition);
        DefaultValue = defaultValue;
        JsonName = JsonEncodedText.Encode(definition.Name);
        if (definition.Pattern is { } pattern)
        {
            // A timeout keeps a hostile pattern or input from holding a request thread.
            Pattern = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        }
    }

    public string Name => Definition.Name;

    /// <summary>The name pre-encoded for <see cref="Utf8JsonWriter"/>, so writing a record encodes nothing.</summary>
    public JsonEncodedText JsonName { get; }

    public FieldDefinition Definition { get; }

    public FieldType Type { get; }

    public SqlType SqlType { get; }

    /// <summary>id, created_at, updated_at and deleted_at: maintained by the server, read-only to clients.</summary>
    public bool IsSystem { get; }

    public bool Hidden => Type.Hidden;

    public bool Required => Definition.Required;

    /// <summary>True when the column can never hold NULL (system fields but deleted_at, and required fields).</summary>
    public bool NotNull => IsSystem ? Name != Collection.DeletedAtField : Required;

    /// <summary>The stored form of the definition's default, or null.</summary>
    public object? DefaultValue { get; }

    public Regex? Pattern { get; }

    /// <summary>For relations: the target collection's name.</summary>
    public string? Target => Definition.Target;

    public bool IsRelation => Type is RelationField;

    public override string ToString() => $"{Name} ({Type.Name})";
}
