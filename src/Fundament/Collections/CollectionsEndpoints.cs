using System.Text.Json;
using System.Text.Json.Nodes;
using Fundament.Http;
using Fundament.Identity;
using Fundament.Migrations;
using Fundament.Records;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Fundament.Collections;

/// <summary>
/// Schema management for superusers (shared/API.md, "Collections"). Every change is written as a
/// migration file and applied through the <see cref="MigrationRunner"/>, so the schema can be
/// committed and replayed on another machine.
/// </summary>
public static class CollectionsEndpoints
{
    public static IEndpointRouteBuilder MapCollections(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/collections").WithTags("Collections");
        group.MapGet("/", List).WithName("ListCollections");
        group.MapPost("/", Create).WithName("CreateCollection");
        group.MapGet("/{name}", Get).WithName("GetCollection");
        group.MapPatch("/{name}", Update).WithName("UpdateCollection");
        group.MapDelete("/{name}", Delete).WithName("DeleteCollection");
        return app;
    }

    private static Results<Ok<Envelope<IReadOnlyList<CollectionDefinition>>>, ApiErrorResult> List(HttpContext http, AdminKey key, SchemaRegistry schemas)
    {
        if (RequireSuperuser(http, key) is { } denied)
        {
            return denied.ToResult();
        }

        var definitions = schemas.Current.Collections.Select(c => c.Definition).ToList();
        return TypedResults.Ok(new Envelope<IReadOnlyList<CollectionDefinition>>(definitions));
    }

    private static Results<Ok<Envelope<CollectionDefinition>>, ApiErrorResult> Get(string name, HttpContext http, AdminKey key, SchemaRegistry schemas)
    {
        if (RequireSuperuser(http, key) is { } denied)
        {
            return denied.ToResult();
        }

        return schemas.Current.Find(name) is { } collection
            ? TypedResults.Ok(new Envelope<CollectionDefinition>(collection.Definition))
            : ApiError.NotFound($"Collection '{name}' not found").ToResult();
    }

    private static async Task<Results<Created<Envelope<CollectionDefinition>>, ApiErrorResult>> Create(
        HttpContext http, AdminKey key, SchemaRegistry schemas, MigrationRunner migrations, AccessRules rules, CancellationToken cancellationToken)
    {
        if (RequireSuperuser(http, key) is { } denied)
        {
            return denied.ToResult();
        }

        var body = await JsonBody.ReadAsync(http.Request, cancellationToken);
        if (!body.IsSuccess)
        {
            return body.Error.ToResult();
        }

        using var document = body.Value;
        var definition = Deserialize(document.RootElement);
        if (!definition.IsSuccess)
        {
            return definition.Error.ToResult();
        }

        var schema = schemas.Current;
        if (Check(definition.Value, schema, schema.Find(definition.Value.Name) is not null, rules) is { } invalid)
        {
            return invalid.ToResult();
        }

        var applied = await migrations.ApplyNewAsync("create_" + definition.Value.Name, new MigrationDocument
        {
            Up = [new MigrationStep { Op = MigrationStep.CreateCollection, Collection = definition.Value }],
            Down = [new MigrationStep { Op = MigrationStep.DeleteCollection, Name = definition.Value.Name }],
        }, cancellationToken);
        return applied.IsSuccess
            ? TypedResults.Created($"/api/collections/{definition.Value.Name}", new Envelope<CollectionDefinition>(applied.Value.Find(definition.Value.Name)!.Definition))
            : applied.Error.ToResult();
    }

    /// <summary>PATCH applies a JSON merge patch (RFC 7396) to the definition; arrays such as <c>fields</c> are replaced whole.</summary>
    private static async Task<Results<Ok<Envelope<CollectionDefinition>>, ApiErrorResult>> Update(
        string name, HttpContext http, AdminKey key, SchemaRegistry schemas, MigrationRunner migrations, AccessRules rules, CancellationToken cancellationToken)
    {
        if (RequireSuperuser(http, key) is { } denied)
        {
            return denied.ToResult();
        }

        var schema = schemas.Current;
        if (schema.Find(name) is not { } current)
        {
            return ApiError.NotFound($"Collection '{name}' not found").ToResult();
        }

        var body = await JsonBody.ReadAsync(http.Request, cancellationToken);
        if (!body.IsSuccess)
        {
            return body.Error.ToResult();
        }

        using var document = body.Value;
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return ApiError.BadRequest("The request body must be a JSON object").ToResult();
        }

        var merged = JsonNode.Parse(SchemaStore.Serialize(current.Definition))!.AsObject();
        foreach (var property in document.RootElement.EnumerateObject())
        {
            merged.Remove(property.Name);
            if (property.Value.ValueKind != JsonValueKind.Null || property.Name.EndsWith("Rule", StringComparison.Ordinal))
            {
                merged[property.Name] = JsonNode.Parse(property.Value.GetRawText());
            }
        }

        using var mergedDocument = JsonDocument.Parse(merged.ToJsonString());
        var definition = Deserialize(mergedDocument.RootElement);
        if (!definition.IsSuccess)
        {
            return definition.Error.ToResult();
        }

        if (definition.Value.Name != name)
        {
            return ApiError.Validation("name", "collections cannot be renamed").ToResult();
        }

        if (Check(definition.Value, schema, false, rules) is { } invalid)
        {
            return invalid.ToResult();
        }

        var applied = await migrations.ApplyNewAsync("update_" + name, new MigrationDocument
        {
            Up = [new MigrationStep { Op = MigrationStep.UpdateCollection, Collection = definition.Value }],
            Down = [new MigrationStep { Op = MigrationStep.UpdateCollection, Collection = current.Definition }],
        }, cancellationToken);
        return applied.IsSuccess
            ? TypedResults.Ok(new Envelope<CollectionDefinition>(applied.Value.Find(name)!.Definition))
            : applied.Error.ToResult();
    }

    private static async Task<Results<NoContent, ApiErrorResult>> Delete(
        string name, HttpContext http, AdminKey key, SchemaRegistry schemas, MigrationRunner migrations, CancellationToken cancellationToken)
    {
        if (RequireSuperuser(http, key) is { } denied)
        {
            return denied.ToResult();
        }

        if (schemas.Current.Find(name) is not { } current)
        {
            return ApiError.NotFound($"Collection '{name}' not found").ToResult();
        }

        var applied = await migrations.ApplyNewAsync("delete_" + name, new MigrationDocument
        {
            Up = [new MigrationStep { Op = MigrationStep.DeleteCollection, Name = name }],
            Down = [new MigrationStep { Op = MigrationStep.CreateCollection, Collection = current.Definition }],
        }, cancellationToken);
        return applied.IsSuccess ? TypedResults.NoContent() : applied.Error.ToResult();
    }

    private static ApiError? RequireSuperuser(HttpContext http, AdminKey key)
    {
        var caller = key.Authenticate(http.Request);
        if (!caller.IsSuccess)
        {
            return caller.Error;
        }

        return caller.Value switch
        {
            { IsSuperuser: true } => null,
            { IsAnonymous: true } => ApiError.Unauthorized("Collections are managed by superusers; send the superuser key"),
            _ => ApiError.Forbidden("Only superusers can manage collections"),
        };
    }

    private static ApiError? Check(CollectionDefinition definition, SchemaSnapshot schema, bool exists, AccessRules rules)
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
            errors.AddRange(rules.Validate(definition, withSelf));
        }

        return errors.Count > 0 ? ApiError.Validation(errors) : null;
    }

    private static Outcome<CollectionDefinition> Deserialize(JsonElement element)
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
}
