using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fundament.Collections;

/// <summary>
/// One field of a collection. The type's own options sit beside the common flags; options that a
/// type does not use must be left out (a collection with them is refused, so typos do not pass).
/// </summary>
public sealed record FieldDefinition
{
    public required string Name { get; init; }

    public required string Type { get; init; }

    public bool Required { get; init; }

    public bool Unique { get; init; }

    public bool Indexed { get; init; }

    /// <summary>The value a create uses when the field is absent from the body.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Default { get; init; }

    /// <summary>text, email, url: length bounds; number: value bounds; select (multiple): item count bounds.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Min { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Max { get; init; }

    /// <summary>text: a .NET regular expression the whole value must match.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Pattern { get; init; }

    /// <summary>select: the allowed values.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Values { get; init; }

    /// <summary>select: whether the field holds an array of values.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Multiple { get; init; }

    /// <summary>number: whether only whole numbers are allowed (stored as a 64-bit integer).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Integer { get; init; }

    /// <summary>relation: the target collection.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Target { get; init; }

    /// <summary>relation: what deleting the target does to this record (default restrict).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public OnDelete? OnDelete { get; init; }
}
