using System.Text.Json;
using Fundament.Collections;
using Fundament.Data;
using Fundament.Http;

namespace Fundament.Records;

/// <summary>
/// Loads records from JSON — <c>{"posts": [{…}, {…}], "tags": [...]}</c> — in one transaction, with
/// the same validation as the API. Used by <c>fundament seed FILE</c>.
/// </summary>
public static class Seeder
{
    public static async Task<Outcome<int>> SeedAsync(Database database, SchemaSnapshot schema, AccessRules rules, JsonElement root, CancellationToken cancellationToken)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return ApiError.BadRequest("A seed file is an object mapping collection names to arrays of records");
        }

        var context = new WriteContext(schema, Caller.System, rules, Timestamps.Now(TimeProvider.System), "POST");
        int count = 0;
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        foreach (var property in root.EnumerateObject())
        {
            if (schema.Find(property.Name) is not { } collection)
            {
                return ApiError.NotFound($"Collection '{property.Name}' not found");
            }

            if (property.Value.ValueKind != JsonValueKind.Array)
            {
                return ApiError.BadRequest($"'{property.Name}' must be an array of records");
            }

            int index = 0;
            foreach (var record in property.Value.EnumerateArray())
            {
                var created = await RecordStore.CreateAsync(tx, context, collection, record, cancellationToken);
                if (!created.IsSuccess)
                {
                    var details = created.Error.Details is { } d ? ": " + string.Join("; ", d.Select(e => $"{e.Field} {e.Message}")) : string.Empty;
                    return created.Error with { Message = $"{property.Name}[{index}]: {created.Error.Message}{details}" };
                }

                index++;
                count++;
            }
        }

        await tx.CommitAsync(cancellationToken);
        return count;
    }
}
