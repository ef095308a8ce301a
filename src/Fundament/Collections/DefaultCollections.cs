using Fundament.Data.Migrations;

namespace Fundament.Collections;

/// <summary>
/// The collections a fresh install has: <c>users</c>, an auth collection anyone may sign up to,
/// where a user sees only itself (shared/API.md, "Collections").
/// </summary>
public static class DefaultCollections
{
    public static readonly CollectionDefinition Users = new()
    {
        Name = "users",
        Type = CollectionType.Auth,
        Fields =
        [
            new FieldDefinition { Name = "email", Type = "email", Required = true, Unique = true },
            new FieldDefinition { Name = "name", Type = "text", Max = 200 },
            new FieldDefinition { Name = "verified", Type = "bool", Default = System.Text.Json.JsonDocument.Parse("false").RootElement },
            new FieldDefinition { Name = "password", Type = "password" },
        ],
        CreateRule = "",
        ListRule = "id = @request.auth.id",
        ViewRule = "id = @request.auth.id",
        UpdateRule = "id = @request.auth.id",
        DeleteRule = "id = @request.auth.id",
    };

    public static readonly SystemMigration CreateUsers = new("1763683201_create_users", async (tx, ct) =>
    {
        var schema = new SchemaSnapshot(await SchemaStore.LoadAsync(tx.Connection, tx.Transaction, ct), 0);
        var outcome = await SchemaStore.CreateAsync(tx, schema, Users, ct);
        if (!outcome.IsSuccess)
        {
            throw new InvalidOperationException("Could not create the users collection: " + outcome.Error.Message);
        }
    });
}
