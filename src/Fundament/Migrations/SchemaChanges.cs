using System.Text.Json;
using Fundament.Collections;
using Fundament.Http;
using Fundament.Rules;

namespace Fundament.Migrations;

/// <summary>
/// Creates, changes and deletes collections the one way the API and the CLI share: validate the
/// definition and its rules against the live schema, write the change as a migration file with its
/// inverse, and apply it.
/// </summary>
public sealed class SchemaChanges(SchemaRegistry schemas, MigrationRunner migrations)
{
    public async Task<Outcome<CollectionDefinition>> CreateAsync(CollectionDefinition definition, CancellationToken cancellationToken)
    {
        var schema = schemas.Current;
        if (Check(definition, schema, exists: schema.Find(definition.Name) is not null) is { } invalid)
        {
            return invalid;
        }

        return Applied(await migrations.ApplyNewAsync("create_" + definition.Name, new MigrationDocument
        {
            Up = [new MigrationStep { Op = MigrationStep.CreateCollection, Collection = definition }],
            Down = [new MigrationStep { Op = MigrationStep.DeleteCollection, Name = definition.Name }],
        }, cancellationToken), definition.Name);
    }

    public async Task<Outcome<CollectionDefinition>> UpdateAsync(CollectionDefinition definition, CancellationToken cancellationToken)
    {
        var schema = schemas.Current;
        if (schema.Find(definition.Name) is not { } current)
        {
            return ApiError.NotFound($"Collection '{definition.Name}' not found");
        }

        if (Check(definition, schema, exists: false) is { } invalid)
        {
            return invalid;
        }

        return Applied(await migrations.ApplyNewAsync("update_" + definition.Name, new MigrationDocument
        {
            Up = [new MigrationStep { Op = MigrationStep.UpdateCollection, Collection = definition }],
            Down = [new MigrationStep { Op = MigrationStep.UpdateCollection, Collection = current.Definition }],
        }, cancellationToken), definition.Name);
    }

    public async Task<ApiError?> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        if (schemas.Current.Find(name) is not { } current)
        {
            return ApiError.NotFound($"Collection '{name}' not found");
        }

        var applied = await migrations.ApplyNewAsync("delete_" + name, new MigrationDocument
        {
            Up = [new MigrationStep { Op = MigrationStep.DeleteCollection, Name = name }],
            Down = [new MigrationStep { Op = MigrationStep.CreateCollection, Collection = current.Definition }],
        }, cancellationToken);
        return applied.Error;
    }

    /// <summary>Reads a definition, turning JSON shape problems into 422 details (never .NET type names).</summary>
    public static Outcome<CollectionDefinition> Parse(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return ApiError.BadRequest("The request body must be a JSON object");
        }

        try
        {
            var definition = element.Deserialize(AppJsonContext.Default.CollectionDefinition);
            return definition is null ? ApiError.BadRequest("The request body must be a JSON object") : definition;
        }
        catch (JsonException ex)
        {
            string path = (ex.Path ?? "$").TrimStart('$').TrimStart('.');
            string message = ex.Message.Contains("could not be mapped", StringComparison.Ordinal) ? "is not a known property"
                : ex.Message.Contains("missing required", StringComparison.OrdinalIgnoreCase) ? "is missing a required property (name, type)"
                : "has the wrong type";
            return ApiError.Validation(path.Length == 0 ? "body" : path, message);
        }
    }

    private static Outcome<CollectionDefinition> Applied(Outcome<SchemaSnapshot> applied, string name) =>
        applied.IsSuccess ? applied.Value.Find(name)!.Definition : applied.Error;

    private static ApiError? Check(CollectionDefinition definition, SchemaSnapshot schema, bool exists)
    {
        var errors = CollectionValidator.Validate(definition, schema);
        if (exists)
        {
            errors.Insert(0, new ErrorDetail("name", $"a collection named '{definition.Name}' already exists"));
        }

        if (errors.Count == 0)
        {
            // Rules may name the collection itself (self relations), so they compile against the schema with it.
            var self = Collection.Create(definition);
            var withSelf = new SchemaSnapshot(schema.Collections.Where(c => c.Name != definition.Name).Append(self), schema.Version);
            foreach (var (name, rule) in Rules(definition))
            {
                if (rule is { Length: > 0 } && FilterCompiler.Compile(rule, self, withSelf, name) is { IsSuccess: false } failed)
                {
                    errors.AddRange(failed.Error.Details ?? [new ErrorDetail(name, failed.Error.Message)]);
                }
            }
        }

        return errors.Count > 0 ? ApiError.Validation(errors) : null;
    }

    private static (string Name, string? Rule)[] Rules(CollectionDefinition definition) =>
    [
        ("listRule", definition.ListRule),
        ("viewRule", definition.ViewRule),
        ("createRule", definition.CreateRule),
        ("updateRule", definition.UpdateRule),
        ("deleteRule", definition.DeleteRule),
    ];
}
