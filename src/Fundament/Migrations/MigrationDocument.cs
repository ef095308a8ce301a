using System.Text.Json.Serialization;
using Fundament.Collections;

namespace Fundament.Migrations;

/// <summary>
/// A JSON migration file: <c>{"up": [steps], "down": [steps]}</c>. Steps are applied in order inside
/// one transaction. Schema changes made over <c>/api/collections</c> are written in this form.
/// </summary>
public sealed record MigrationDocument
{
    public IReadOnlyList<MigrationStep> Up { get; set; } = [];

    public IReadOnlyList<MigrationStep> Down { get; set; } = [];
}

/// <summary>
/// One step. <c>createCollection</c>/<c>updateCollection</c> carry the full definition,
/// <c>deleteCollection</c> the name, <c>sql</c> a statement for both dialects or one per dialect.
/// </summary>
public sealed record MigrationStep
{
    public const string CreateCollection = "createCollection";
    public const string UpdateCollection = "updateCollection";
    public const string DeleteCollection = "deleteCollection";
    public const string Sql = "sql";

    public required string Op { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CollectionDefinition? Collection { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }

    [JsonPropertyName("sql")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Statement { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Sqlite { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Postgres { get; init; }
}
