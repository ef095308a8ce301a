using System.Text.Json;
using Fundament.Collections;
using Fundament.Data;
using Fundament.Http;
using Fundament.Rules;
using Fundament.Toolkit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Fundament.Records;

/// <summary>The REST API every collection gets (shared/API.md, "Records").</summary>
public static class RecordsEndpoints
{
    public static IEndpointRouteBuilder MapRecords(this IEndpointRouteBuilder app)
    {
        var records = app.MapGroup("/api/{collection}").WithTags("Records");
        records.MapGet("/", List).WithName("ListRecords");
        records.MapPost("/", Create).WithName("CreateRecord");
        records.MapGet("/{id}", Get).WithName("GetRecord");
        records.MapPut("/{id}", Replace).WithName("ReplaceRecord");
        records.MapPatch("/{id}", Patch).WithName("PatchRecord");
        records.MapDelete("/{id}", Delete).WithName("DeleteRecord");
        records.MapPost("/{id}/restore", Restore).WithName("RestoreRecord");
        app.MapPost("/api/batch", Batch.HandleAsync).WithName("Batch").WithTags("Records");
        return app;
    }

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> List(string collection, HttpContext http, RecordServices services, CancellationToken cancellationToken)
    {
        var request = services.Resolve(http, collection, out var schema);
        if (!request.IsSuccess)
        {
            return request.Error.ToResult();
        }

        var (caller, target) = request.Value;
        var rule = services.Rules.For(target, schema, RuleAction.List, caller);
        if (!rule.IsSuccess)
        {
            return rule.Error.ToResult();
        }

        string? cacheKey = services.Cache.KeyFor(caller, schema, target, http.Request.Path + http.Request.QueryString);
        if (services.Cache.TryGet(cacheKey, schema, out var cached))
        {
            return cached;
        }

        long version = services.Cache.Version;

        var query = ListQuery.Parse(http.Request.Query, target, schema, caller, services.Rules.Filters);
        if (!query.IsSuccess)
        {
            return query.Error.ToResult();
        }

        object?[]? cursorValues = null;
        if (query.Value.Cursor is { Length: > 0 } cursor)
        {
            var decoded = RecordCursor.Decode(cursor, query.Value.SortText, RecordStore.SortKeys(target, query.Value.Sort));
            if (!decoded.IsSuccess)
            {
                return decoded.Error.ToResult();
            }

            cursorValues = decoded.Value;
        }

        var context = services.RuleContext(caller, http);
        await using var connection = await services.Database.OpenReadAsync(cancellationToken);
        var page = await RecordStore.ListAsync(connection, services.Database.Dialect, target, query.Value, rule.Value, context, cursorValues, cancellationToken);
        if (query.Value.Expand is { } expand && page.Records.Count > 0)
        {
            await RecordStore.ExpandAsync(connection, services.Database.Dialect, page.Records, expand, schema, caller, context, services.Rules, cancellationToken);
        }

        var result = RecordResponses.Page(page, query.Value);
        services.Cache.Set(cacheKey, version, schema, result);
        return result;
    }

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> Get(string collection, string id, HttpContext http, RecordServices services, CancellationToken cancellationToken)
    {
        var request = services.Resolve(http, collection, out var schema);
        if (!request.IsSuccess)
        {
            return request.Error.ToResult();
        }

        var (caller, target) = request.Value;
        var rule = services.Rules.For(target, schema, RuleAction.View, caller);
        if (!rule.IsSuccess)
        {
            return rule.Error.ToResult();
        }

        string? cacheKey = services.Cache.KeyFor(caller, schema, target, http.Request.Path + http.Request.QueryString);
        if (services.Cache.TryGet(cacheKey, schema, out var cached))
        {
            return cached;
        }

        long version = services.Cache.Version;

        var fields = ListQuery.ParseFields(http.Request.Query["fields"].ToString(), target);
        var expand = ExpandSpec.Parse(http.Request.Query["expand"].ToString(), target, schema);
        if (!fields.IsSuccess || !expand.IsSuccess)
        {
            return (fields.Error ?? expand.Error!).ToResult();
        }

        if (!Uuids.TryNormalize(id, out var canonical))
        {
            return ApiError.NotFound("Record not found").ToResult();
        }

        var context = services.RuleContext(caller, http);
        await using var connection = await services.Database.OpenReadAsync(cancellationToken);
        var (record, _) = await RecordStore.FindAsync(connection, null, services.Database.Dialect, target, canonical, rule.Value, context, DeletedMode.Exclude,
            cancellationToken: cancellationToken);
        if (record is null)
        {
            return ApiError.NotFound("Record not found").ToResult();
        }

        if (expand.Value is { } spec)
        {
            await RecordStore.ExpandAsync(connection, services.Database.Dialect, [record], spec, schema, caller, context, services.Rules, cancellationToken);
        }

        var result = RecordResponses.One(record, fields: fields.Value);
        services.Cache.Set(cacheKey, version, schema, result);
        return result;
    }

    private static Task<Results<JsonBytesResult, ApiErrorResult>> Create(string collection, HttpContext http, RecordServices services, CancellationToken cancellationToken) =>
        services.WriteAsync(http, collection, needsBody: true, StatusCodes.Status201Created, (tx, context, target, body, ct) =>
            RecordStore.CreateAsync(tx, context, target, body, ct), cancellationToken);

    private static Task<Results<JsonBytesResult, ApiErrorResult>> Replace(string collection, string id, HttpContext http, RecordServices services, CancellationToken cancellationToken) =>
        services.WriteAsync(http, collection, needsBody: true, StatusCodes.Status200OK, (tx, context, target, body, ct) =>
            RecordStore.UpdateAsync(tx, context, target, id, body, RecordInput.Mode.Replace, IfMatch(http), ct), cancellationToken);

    private static Task<Results<JsonBytesResult, ApiErrorResult>> Patch(string collection, string id, HttpContext http, RecordServices services, CancellationToken cancellationToken) =>
        services.WriteAsync(http, collection, needsBody: true, StatusCodes.Status200OK, (tx, context, target, body, ct) =>
            RecordStore.UpdateAsync(tx, context, target, id, body, RecordInput.Mode.Patch, IfMatch(http), ct), cancellationToken);

    private static async Task<Results<NoContent, JsonBytesResult, ApiErrorResult>> Delete(string collection, string id, HttpContext http, RecordServices services, CancellationToken cancellationToken)
    {
        bool permanent = http.Request.Query["permanent"] == "true";
        var result = await services.WriteAsync(http, collection, needsBody: false, StatusCodes.Status200OK, (tx, context, target, _, ct) =>
            RecordStore.DeleteAsync(tx, context, target, id, permanent, IfMatch(http), ct), cancellationToken);
        return result.Result is ApiErrorResult error ? error : TypedResults.NoContent();
    }

    private static Task<Results<JsonBytesResult, ApiErrorResult>> Restore(string collection, string id, HttpContext http, RecordServices services, CancellationToken cancellationToken) =>
        services.WriteAsync(http, collection, needsBody: false, StatusCodes.Status200OK, (tx, context, target, _, ct) =>
            RecordStore.RestoreAsync(tx, context, target, id, ct), cancellationToken);

    private static string? IfMatch(HttpContext http) =>
        http.Request.Headers.IfMatch.Count > 0 ? http.Request.Headers.IfMatch.ToString() : null;
}

/// <summary>What record handlers share: the caller, the schema, the database and the rules.</summary>
public sealed class RecordServices(Database database, SchemaRegistry schemas, AccessRules rules, RecordHooks hooks, ReadCache cache, TimeProvider clock)
{
    public delegate Task<Outcome<Record>> WriteOperation(WriteTransaction tx, WriteContext context, Collection collection, JsonElement body, CancellationToken cancellationToken);

    public Database Database { get; } = database;

    public AccessRules Rules { get; } = rules;

    public SchemaRegistry Schemas { get; } = schemas;

    public TimeProvider Clock { get; } = clock;

    public ReadCache Cache { get; } = cache;

    /// <summary>Authenticates the caller and finds the collection, pinning one schema snapshot for the request.</summary>
    public Outcome<(Caller Caller, Collection Collection)> Resolve(HttpContext http, string collection, out SchemaSnapshot schema)
    {
        schema = Schemas.Current;
        var caller = Caller.Of(http);
        if (schema.Find(collection) is not { } found)
        {
            return ApiError.NotFound($"Collection '{collection}' not found");
        }

        return caller.Allows(found.Name, write: !HttpMethods.IsGet(http.Request.Method))
            ? (caller, found)
            : ApiError.Forbidden($"The API key has no scope to {(HttpMethods.IsGet(http.Request.Method) ? "read" : "write")} '{found.Name}'");
    }

    public RuleContext RuleContext(Caller caller, HttpContext http) =>
        new() { Auth = caller.Auth, Method = http.Request.Method, Now = Timestamps.Now(Clock) };

    public WriteContext WriteContext(Caller caller, SchemaSnapshot schema, string method) =>
        new(schema, caller, Rules, Timestamps.Now(Clock), method) { Hooks = hooks };

    /// <summary>Runs one write in its own transaction and answers with the written record.</summary>
    public async Task<Results<JsonBytesResult, ApiErrorResult>> WriteAsync(HttpContext http, string collection, bool needsBody, int successStatus,
        WriteOperation operation, CancellationToken cancellationToken)
    {
        var request = Resolve(http, collection, out var schema);
        if (!request.IsSuccess)
        {
            return request.Error.ToResult();
        }

        JsonDocument? document = null;
        if (needsBody)
        {
            var body = await JsonBody.ReadAsync(http.Request, cancellationToken);
            if (!body.IsSuccess)
            {
                return body.Error.ToResult();
            }

            document = body.Value;
        }

        using (document)
        {
            var (caller, target) = request.Value;
            var context = WriteContext(caller, schema, http.Request.Method);
            await using var tx = await Database.BeginWriteAsync(cancellationToken);
            var outcome = await operation(tx, context, target, document?.RootElement ?? default, cancellationToken);
            if (!outcome.IsSuccess)
            {
                return outcome.Error.ToResult();
            }

            await tx.CommitAsync(cancellationToken);
            string? location = successStatus == StatusCodes.Status201Created ? $"/api/{target.Name}/{outcome.Value.Id}" : null;
            return RecordResponses.One(outcome.Value, successStatus, location: location);
        }
    }
}
