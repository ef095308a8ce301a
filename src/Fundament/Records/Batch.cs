using System.Buffers;
using System.Text.Json;
using Fundament.Http;
using Fundament.Toolkit;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Fundament.Records;

/// <summary>
/// <c>POST /api/batch</c>: up to <see cref="FundamentOptions.MaxBatchOperations"/> record writes in one
/// transaction. All apply or none: the first failure rolls everything back and is reported with
/// the index of the request that caused it.
/// </summary>
/// <example>
/// <code>{"requests": [{"method": "POST", "url": "/api/posts", "body": {"title": "A"}},
///                     {"method": "DELETE", "url": "/api/posts/0193…", "headers": {"If-Match": "\"…\""}}]}</code>
/// </example>
public static class Batch
{
    private sealed record Operation(string Method, string Collection, string? Id, bool Restore, bool Permanent, JsonElement Body, string? IfMatch);

    public static async Task<Results<JsonBytesResult, ApiErrorResult>> HandleAsync(HttpContext http, RecordServices services, FundamentOptions options, CancellationToken cancellationToken)
    {
        var schema = services.Schemas.Current;
        var caller = Caller.Of(http);
        var body = await JsonBody.ReadAsync(http.Request, cancellationToken);
        if (!body.IsSuccess)
        {
            return body.Error.ToResult();
        }

        using var document = body.Value;
        var operations = Parse(document.RootElement, options.MaxBatchOperations);
        if (!operations.IsSuccess)
        {
            return operations.Error.ToResult();
        }

        var context = services.WriteContext(caller, schema, "POST");
        var results = new List<(int Status, Record? Record)>(operations.Value.Count);
        await using (var tx = await services.Database.BeginWriteAsync(cancellationToken))
        {
            for (int i = 0; i < operations.Value.Count; i++)
            {
                var operation = operations.Value[i];
                if (schema.Find(operation.Collection) is not { } collection)
                {
                    return Failed(i, ApiError.NotFound($"Collection '{operation.Collection}' not found")).ToResult();
                }

                if (!caller.Allows(collection.Name, write: true))
                {
                    return Failed(i, ApiError.Forbidden($"The API key has no scope to write '{collection.Name}'")).ToResult();
                }

                var opContext = context with { Method = operation.Method };
                var outcome = operation switch
                {
                    { Method: "POST", Id: null } => await RecordStore.CreateAsync(tx, opContext, collection, operation.Body, cancellationToken),
                    { Method: "POST", Restore: true } => await RecordStore.RestoreAsync(tx, opContext, collection, operation.Id!, cancellationToken),
                    { Method: "PUT" } => await RecordStore.UpdateAsync(tx, opContext, collection, operation.Id!, operation.Body, RecordInput.Mode.Replace, operation.IfMatch, cancellationToken),
                    { Method: "PATCH" } => await RecordStore.UpdateAsync(tx, opContext, collection, operation.Id!, operation.Body, RecordInput.Mode.Patch, operation.IfMatch, cancellationToken),
                    _ => await RecordStore.DeleteAsync(tx, opContext, collection, operation.Id!, operation.Permanent, operation.IfMatch, cancellationToken),
                };
                if (!outcome.IsSuccess)
                {
                    return Failed(i, outcome.Error).ToResult();
                }

                results.Add(operation.Method switch
                {
                    "POST" when operation.Id is null => (StatusCodes.Status201Created, outcome.Value),
                    "DELETE" => (StatusCodes.Status204NoContent, null),
                    _ => (StatusCodes.Status200OK, outcome.Value),
                });
            }

            await tx.CommitAsync(cancellationToken);
        }

        return Write(results);
    }

    private static ApiError Failed(int index, ApiError error) => error with
    {
        Message = $"Batch request {index} failed: {error.Message}",
        Details = (error.Details ?? []).Select(d => d with { Field = $"requests[{index}].{d.Field}" }).ToList(),
    };

    private static Outcome<List<Operation>> Parse(JsonElement root, int max)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("requests", out var requests) || requests.ValueKind != JsonValueKind.Array)
        {
            return ApiError.BadRequest("The body must be an object with a 'requests' array");
        }

        int count = requests.GetArrayLength();
        if (count == 0 || count > max)
        {
            return ApiError.Validation("requests", $"must contain between 1 and {max} requests");
        }

        var operations = new List<Operation>(count);
        var errors = new List<ErrorDetail>();
        int index = 0;
        foreach (var item in requests.EnumerateArray())
        {
            var operation = ParseOne(item, $"requests[{index++}]", errors);
            if (operation is not null)
            {
                operations.Add(operation);
            }
        }

        return errors.Count > 0 ? ApiError.Validation(errors) : operations;
    }

    private static Operation? ParseOne(JsonElement item, string path, List<ErrorDetail> errors)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new(path, "must be an object with method and url"));
            return null;
        }

        string method = item.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()!.ToUpperInvariant() : string.Empty;
        string url = item.TryGetProperty("url", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString()! : string.Empty;
        var body = item.TryGetProperty("body", out var b) ? b : default;
        string? ifMatch = item.TryGetProperty("headers", out var headers) && headers.ValueKind == JsonValueKind.Object &&
                          headers.EnumerateObject().FirstOrDefault(h => h.Name.Equals("If-Match", StringComparison.OrdinalIgnoreCase)) is { Value.ValueKind: JsonValueKind.String } header
            ? header.Value.GetString()
            : null;
        foreach (var property in item.EnumerateObject())
        {
            if (property.Name is not ("method" or "url" or "body" or "headers"))
            {
                errors.Add(new($"{path}.{property.Name}", "is not a known property of a batch request"));
            }
        }

        int query = url.IndexOf('?', StringComparison.Ordinal);
        bool permanent = query >= 0 && url[(query + 1)..] == "permanent=true";
        var segments = (query >= 0 ? url[..query] : url).Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length is < 2 or > 4 || segments[0] != "api" || (query >= 0 && !permanent))
        {
            errors.Add(new($"{path}.url", "must be /api/{collection}, /api/{collection}/{id} or /api/{collection}/{id}/restore"));
            return null;
        }

        string? id = segments.Length >= 3 ? segments[2] : null;
        bool restore = segments.Length == 4 && segments[3] == "restore";
        bool valid = method switch
        {
            "POST" => segments.Length == 2 || restore,
            "PUT" or "PATCH" or "DELETE" => segments.Length == 3,
            _ => false,
        };
        if (!valid)
        {
            errors.Add(new($"{path}.method", $"{(method.Length == 0 ? "a method" : method)} is not allowed on {url} in a batch (POST, PUT, PATCH, DELETE)"));
            return null;
        }

        if (method is "POST" or "PUT" or "PATCH" && !restore && body.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new($"{path}.body", "must be a JSON object"));
            return null;
        }

        if (id is not null && !Uuids.TryNormalize(id, out _))
        {
            errors.Add(new($"{path}.url", "does not name a valid record id"));
            return null;
        }

        return new Operation(method, segments[1], id, restore, permanent, body, ifMatch);
    }

    private static JsonBytesResult Write(List<(int Status, Record? Record)> results)
    {
        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("success", true);
            writer.WriteStartArray("data");
            foreach (var (status, record) in results)
            {
                writer.WriteStartObject();
                writer.WriteNumber("status", status);
                if (record is not null)
                {
                    writer.WritePropertyName("body");
                    RecordJson.Write(writer, record);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return new JsonBytesResult(StatusCodes.Status200OK, buffer.WrittenMemory);
    }
}
