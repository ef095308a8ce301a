using System.Text.Json;
using System.Text.Json.Nodes;
using Fundament.Http;
using Fundament.Migrations;
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

    private static Results<Ok<Envelope<IReadOnlyList<CollectionDefinition>>>, ApiErrorResult> List(HttpContext http, SchemaRegistry schemas)
    {
        if (RequireSuperuser(http) is { } denied)
        {
            return denied.ToResult();
        }

        var definitions = schemas.Current.Collections.Select(c => c.Definition).ToList();
        return TypedResults.Ok(new Envelope<IReadOnlyList<CollectionDefinition>>(definitions));
    }

    private static Results<Ok<Envelope<CollectionDefinition>>, ApiErrorResult> Get(string name, HttpContext http, SchemaRegistry schemas)
    {
        if (RequireSuperuser(http) is { } denied)
        {
            return denied.ToResult();
        }

        return schemas.Current.Find(name) is { } collection
            ? TypedResults.Ok(new Envelope<CollectionDefinition>(collection.Definition))
            : ApiError.NotFound($"Collection '{name}' not found").ToResult();
    }

    private static async Task<Results<Created<Envelope<CollectionDefinition>>, ApiErrorResult>> Create(
        HttpContext http, SchemaChanges changes, CancellationToken cancellationToken)
    {
        if (RequireSuperuser(http) is { } denied)
        {
            return denied.ToResult();
        }

        var body = await JsonBody.ReadAsync(http.Request, cancellationToken);
        if (!body.IsSuccess)
        {
            return body.Error.ToResult();
        }

        using var document = body.Value;
        var definition = SchemaChanges.Parse(document.RootElement);
        if (!definition.IsSuccess)
        {
            return definition.Error.ToResult();
        }

        var created = await changes.CreateAsync(definition.Value, cancellationToken);
        return created.IsSuccess
            ? TypedResults.Created($"/api/collections/{created.Value.Name}", new Envelope<CollectionDefinition>(created.Value))
            : created.Error.ToResult();
    }

    /// <summary>PATCH applies a JSON merge patch (RFC 7396) to the definition; arrays such as <c>fields</c> are replaced whole.</summary>
    private static async Task<Results<Ok<Envelope<CollectionDefinition>>, ApiErrorResult>> Update(
        string name, HttpContext http, SchemaRegistry schemas, SchemaChanges changes, CancellationToken cancellationToken)
    {
        if (RequireSuperuser(http) is { } denied)
        {
            return denied.ToResult();
        }

        if (schemas.Current.Find(name) is not { } current)
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
            // A null rule means "superusers only", so for rules null is a value rather than a removal.
            if (property.Value.ValueKind != JsonValueKind.Null || property.Name.EndsWith("Rule", StringComparison.Ordinal))
            {
                merged[property.Name] = JsonNode.Parse(property.Value.GetRawText());
            }
        }

        using var mergedDocument = JsonDocument.Parse(merged.ToJsonString());
        var definition = SchemaChanges.Parse(mergedDocument.RootElement);
        if (!definition.IsSuccess)
        {
            return definition.Error.ToResult();
        }

        if (definition.Value.Name != name)
        {
            return ApiError.Validation("name", "collections cannot be renamed").ToResult();
        }

        var updated = await changes.UpdateAsync(definition.Value, cancellationToken);
        return updated.IsSuccess ? TypedResults.Ok(new Envelope<CollectionDefinition>(updated.Value)) : updated.Error.ToResult();
    }

    private static async Task<Results<NoContent, ApiErrorResult>> Delete(string name, HttpContext http, SchemaChanges changes, CancellationToken cancellationToken)
    {
        if (RequireSuperuser(http) is { } denied)
        {
            return denied.ToResult();
        }

        return await changes.DeleteAsync(name, cancellationToken) is { } error ? error.ToResult() : TypedResults.NoContent();
    }

    private static ApiError? RequireSuperuser(HttpContext http) => Caller.Of(http) switch
    {
        { CanManageSchema: true } => null,
        { IsAnonymous: true } => ApiError.Unauthorized("Collections are managed by superusers; sign in at /api/admin/auth/login"),
        _ => ApiError.Forbidden("Only superusers can manage collections"),
    };
}
