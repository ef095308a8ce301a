using System.Data.Common;
using System.Text.Json;
using Fundament.Data;
using Fundament.Http;

namespace Fundament.Collections;

/// <summary>
/// Reads and writes collection definitions (the <c>_collections</c> table) together with their
/// tables. Every change runs inside the caller's transaction and returns the schema as it stands
/// afterwards, so a migration with several steps sees its own earlier steps.
/// </summary>
public static class SchemaStore
{
    public const string Table = Data.Migrations.SystemTables.Collections;

    public static async Task<List<Collection>> LoadAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT definition FROM \"{Table}\" ORDER BY name";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var collections = new List<Collection>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var definition = JsonSerializer.Deserialize(reader.GetString(0), AppJsonContext.Default.CollectionDefinition)!;
            collections.Add(Collection.Create(definition));
        }

        return collections;
    }

    public static async Task<Outcome<SchemaSnapshot>> CreateAsync(WriteTransaction tx, SchemaSnapshot schema, CollectionDefinition definition, CancellationToken cancellationToken)
    {
        var errors = CollectionValidator.Validate(definition, schema);
        if (schema.Find(definition.Name) is not null)
        {
            errors.Insert(0, new ErrorDetail("name", $"a collection named '{definition.Name}' already exists"));
        }

        if (errors.Count > 0)
        {
            return ApiError.Validation(errors);
        }

        var collection = Collection.Create(definition);
        await TableSync.CreateAsync(tx, collection, cancellationToken);
        var insert = new SqlBuilder(tx.Dialect);
        var now = Timestamps.Now(TimeProvider.System);
        insert.Append($"INSERT INTO \"{Table}\" (name, definition, created_at, updated_at) VALUES (")
              .Parameter(SqlType.Text, definition.Name).Append(", ")
              .Parameter(SqlType.Text, Serialize(definition)).Append(", ")
              .Parameter(SqlType.Timestamp, now).Append(", ")
              .Parameter(SqlType.Timestamp, now).Append(')');
        await tx.ExecuteAsync(insert, cancellationToken);
        return With(schema, collection, replacing: null);
    }

    public static async Task<Outcome<SchemaSnapshot>> UpdateAsync(WriteTransaction tx, SchemaSnapshot schema, CollectionDefinition definition, CancellationToken cancellationToken)
    {
        if (schema.Find(definition.Name) is not { } current)
        {
            return ApiError.NotFound($"Collection '{definition.Name}' not found");
        }

        var errors = CollectionValidator.Validate(definition, schema);
        CollectionValidator.ValidateChange(current.Definition, definition, errors);
        if (errors.Count > 0)
        {
            return ApiError.Validation(errors);
        }

        var next = Collection.Create(definition);
        if (await TableSync.UpdateAsync(tx, current, next, cancellationToken) is { } error)
        {
            return error;
        }

        var update = new SqlBuilder(tx.Dialect);
        update.Append($"UPDATE \"{Table}\" SET definition = ").Parameter(SqlType.Text, Serialize(definition))
              .Append(", updated_at = ").Parameter(SqlType.Timestamp, Timestamps.Now(TimeProvider.System))
              .Append(" WHERE name = ").Parameter(SqlType.Text, definition.Name);
        await tx.ExecuteAsync(update, cancellationToken);
        return With(schema, next, replacing: current.Name);
    }

    public static async Task<Outcome<SchemaSnapshot>> DeleteAsync(WriteTransaction tx, SchemaSnapshot schema, string name, CancellationToken cancellationToken)
    {
        if (schema.Find(name) is not { } current)
        {
            return ApiError.NotFound($"Collection '{name}' not found");
        }

        var referrers = schema.ReferencesTo(name).Where(r => r.Collection.Name != name).Select(r => $"{r.Collection.Name}.{r.Field.Name}").ToList();
        if (referrers.Count > 0)
        {
            return ApiError.Conflict($"Collection '{name}' is referenced by {string.Join(", ", referrers)}; remove those relations first");
        }

        await TableSync.DropAsync(tx, current, cancellationToken);
        var delete = new SqlBuilder(tx.Dialect);
        delete.Append($"DELETE FROM \"{Table}\" WHERE name = ").Parameter(SqlType.Text, name);
        await tx.ExecuteAsync(delete, cancellationToken);
        return With(schema, null, replacing: name);
    }

    public static string Serialize(CollectionDefinition definition) =>
        JsonSerializer.Serialize(definition, AppJsonContext.Default.CollectionDefinition);

    private static SchemaSnapshot With(SchemaSnapshot schema, Collection? added, string? replacing)
    {
        var collections = schema.Collections.Where(c => c.Name != replacing && c.Name != added?.Name).ToList();
        if (added is not null)
        {
            collections.Add(added);
        }

        return new SchemaSnapshot(collections, schema.Version);
    }
}
