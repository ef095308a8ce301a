using System.Text.Json;
using Fundament.Collections;

namespace Fundament.Tests.Rules;

/// <summary>The collections the rule tests filter: posts with every field type, their authors and the authors' profiles.</summary>
internal static class BlogSchema
{
    public static readonly Collection Profiles = Collection.Create(new CollectionDefinition
    {
        Name = "profiles",
        Fields = [new FieldDefinition { Name = "bio", Type = "text" }],
    });

    public static readonly Collection Users = Collection.Create(new CollectionDefinition
    {
        Name = "users",
        Type = CollectionType.Auth,
        Fields =
        [
            new FieldDefinition { Name = "name", Type = "text" },
            new FieldDefinition { Name = "email", Type = "email" },
            new FieldDefinition { Name = "password", Type = "password" },
            new FieldDefinition { Name = "age", Type = "number", Integer = true },
            new FieldDefinition { Name = "verified", Type = "bool" },
            new FieldDefinition { Name = "profile", Type = "relation", Target = "profiles" },
        ],
    });

    public static readonly Collection Posts = Collection.Create(new CollectionDefinition
    {
        Name = "posts",
        Fields =
        [
            new FieldDefinition { Name = "title", Type = "text" },
            new FieldDefinition { Name = "body", Type = "text" },
            new FieldDefinition { Name = "views", Type = "number", Integer = true },
            new FieldDefinition { Name = "score", Type = "number" },
            new FieldDefinition { Name = "published", Type = "bool" },
            new FieldDefinition { Name = "published_at", Type = "datetime" },
            new FieldDefinition { Name = "tags", Type = "select", Multiple = true, Values = ["a", "b", "c", "x_y"] },
            new FieldDefinition { Name = "status", Type = "select", Values = ["draft", "live"] },
            new FieldDefinition { Name = "meta", Type = "json" },
            new FieldDefinition { Name = "author", Type = "relation", Target = "users" },
            new FieldDefinition { Name = "website", Type = "url" },
            new FieldDefinition { Name = "secret", Type = "password" },
        ],
    });

    public static readonly SchemaSnapshot Schema = new([Profiles, Users, Posts], version: 7);

    public static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
