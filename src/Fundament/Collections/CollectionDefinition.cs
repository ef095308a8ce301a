using System.Text.Json.Serialization;

namespace Fundament.Collections;

[JsonConverter(typeof(JsonStringEnumConverter<CollectionType>))]
public enum CollectionType
{
    [JsonStringEnumMemberName("base")]
    Base,

    [JsonStringEnumMemberName("auth")]
    Auth,
}

/// <summary>
/// A collection as clients and migration files see it: the JSON shape of <c>/api/collections</c>.
/// Rules: null = superusers only, "" = anyone, otherwise a filter expression.
/// </summary>
public sealed record CollectionDefinition
{
    public required string Name { get; init; }

    public CollectionType Type { get; init; } = CollectionType.Base;

    public IReadOnlyList<FieldDefinition> Fields { get; set; } = [];

    public bool SoftDelete { get; init; }

    public IReadOnlyList<IndexDefinition> Indexes { get; set; } = [];

    public string? ListRule { get; init; }

    public string? ViewRule { get; init; }

    public string? CreateRule { get; init; }

    public string? UpdateRule { get; init; }

    public string? DeleteRule { get; init; }
}

/// <summary>A composite index over several fields; single-field indexes use the field's own flags.</summary>
public sealed record IndexDefinition
{
    public required IReadOnlyList<string> Fields { get; init; }

    public bool Unique { get; init; }
}

/// <summary>What happens to a record whose relation points at a deleted record.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OnDelete>))]
public enum OnDelete
{
    [JsonStringEnumMemberName("restrict")]
    Restrict,

    [JsonStringEnumMemberName("cascade")]
    Cascade,

    [JsonStringEnumMemberName("set-null")]
    SetNull,
}
