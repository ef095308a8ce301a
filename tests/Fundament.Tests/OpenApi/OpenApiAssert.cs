using System.Globalization;
using System.Net;
using System.Text.Json;
using Fundament.Http;
using Fundament.Tests.Testing;

namespace Fundament.Tests.OpenApi;

/// <summary>Reads /openapi.json and checks operations and real answers against it.</summary>
internal static class OpenApiAssert
{
    public static async Task<JsonElement> GetDocumentAsync(TestApp app)
    {
        using var response = await app.Anonymous.GetAsync("/openapi.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    /// <summary>
    /// Asserts that <paramref name="method"/> <paramref name="path"/> is documented with this operation id and tag, the request
    /// body schema <paramref name="body"/> (null: none) and exactly the <paramref name="statuses"/>; errors reference the shared
    /// error responses or use the error envelope, and successes other than 204 use the success envelope. Returns the operation.
    /// </summary>
    public static JsonElement Operation(JsonElement doc, string path, string method, string operationId, string tag, string? body, string statuses)
    {
        Assert.True(doc.GetProperty("paths").TryGetProperty(path, out var item), $"missing {path}");
        Assert.True(item.TryGetProperty(method, out var operation), $"missing {method} {path}");
        Assert.Equal(operationId, operation.GetProperty("operationId").GetString());
        Assert.Equal([tag], Strings(operation.GetProperty("tags")));
        Assert.Equal(statuses.Split(' ').Order(), operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order());
        if (body is null)
        {
            Assert.False(operation.TryGetProperty("requestBody", out _), $"{method} {path} takes no body");
        }
        else
        {
            Assert.Equal($"#/components/schemas/{body}",
                operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        }

        foreach (var response in operation.GetProperty("responses").EnumerateObject())
        {
            int status = int.Parse(response.Name, CultureInfo.InvariantCulture);
            if (status >= 400)
            {
                string expected = $"#/components/responses/{ErrorCodes.ForStatus(status)}";
                Assert.True(response.Value.TryGetProperty("$ref", out var reference)
                    ? reference.GetString() == expected
                    : SchemaOf(response.Value).GetProperty("$ref").GetString() == "#/components/schemas/Error", $"{method} {path} {status} is not an error envelope");
            }
            else if (status != 204)
            {
                Assert.True(SchemaOf(response.Value).GetProperty("properties").TryGetProperty("success", out _), $"{method} {path} {status} is not in the envelope");
            }
        }

        return operation;
    }

    /// <summary>Whether the operation demands credentials (every requirement names a scheme) or takes none at all (an empty array).</summary>
    public static string Security(JsonElement operation)
    {
        if (!operation.TryGetProperty("security", out var security))
        {
            return "optional";
        }

        if (security.GetArrayLength() == 0)
        {
            return "none";
        }

        return security.EnumerateArray().All(requirement => requirement.EnumerateObject().Any()) ? "required" : "optional";
    }

    /// <summary>
    /// Asserts that every property of <paramref name="value"/> is in the schema named <paramref name="schema"/> (following
    /// <c>$ref</c> and <c>allOf</c>), and every required property is present.
    /// </summary>
    public static void Documented(JsonElement doc, JsonElement value, string schema)
    {
        var (properties, required) = Flatten(doc, doc.GetProperty("components").GetProperty("schemas").GetProperty(schema));
        foreach (var property in value.EnumerateObject())
        {
            Assert.True(properties.Contains(property.Name), $"{schema} lacks {property.Name}");
        }

        foreach (var name in required)
        {
            Assert.True(value.TryGetProperty(name, out _), $"the answer lacks {name}, which {schema} requires: {value}");
        }
    }

    public static JsonElement Schema(JsonElement doc, string name) => doc.GetProperty("components").GetProperty("schemas").GetProperty(name);

    public static List<string?> Strings(JsonElement array) => array.EnumerateArray().Select(v => v.GetString()).ToList();

    private static JsonElement SchemaOf(JsonElement response) => response.GetProperty("content").GetProperty("application/json").GetProperty("schema");

    private static (HashSet<string> Properties, HashSet<string> Required) Flatten(JsonElement doc, JsonElement schema)
    {
        var properties = new HashSet<string>(StringComparer.Ordinal);
        var required = new HashSet<string>(StringComparer.Ordinal);
        if (schema.TryGetProperty("$ref", out var reference))
        {
            return Flatten(doc, Schema(doc, reference.GetString()!["#/components/schemas/".Length..]));
        }

        if (schema.TryGetProperty("allOf", out var parts))
        {
            foreach (var part in parts.EnumerateArray())
            {
                var (p, r) = Flatten(doc, part);
                properties.UnionWith(p);
                required.UnionWith(r);
            }
        }

        if (schema.TryGetProperty("properties", out var own))
        {
            properties.UnionWith(own.EnumerateObject().Select(p => p.Name));
        }

        if (schema.TryGetProperty("required", out var names))
        {
            required.UnionWith(names.EnumerateArray().Select(n => n.GetString()!));
        }

        return (properties, required);
    }
}
