using System.Text.Json;
using System.Text.RegularExpressions;
using Fundament.Tests.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Fundament.Tests.OpenApi;

/// <summary>
/// The document and the route table agree: every mapped /api route is documented with its method, under the
/// operation id its <c>WithName</c> gives, and nothing is documented that is not mapped. A new route without
/// documentation fails here.
/// </summary>
public sealed partial class RouteCoverageTests : IAsyncLifetime
{
    /// <summary>The record routes' collection parameter; the test documents them through a real soft-delete collection.</summary>
    private const string CollectionSegment = "{collection}";

    private const string Posts = """{"name":"posts","softDelete":true,"fields":[{"name":"title","type":"text"}]}""";

    private TestApp _app = null!;

    public async ValueTask InitializeAsync()
    {
        _app = await TestApp.StartAsync(DbKind.Sqlite);
        await _app.CreateCollectionAsync(Posts);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Every_api_route_is_documented_with_its_method_and_its_name_as_operation_id()
    {
        var doc = await OpenApiAssert.GetDocumentAsync(_app);
        var paths = doc.GetProperty("paths");
        var routes = ApiRoutes();
        Assert.Contains(routes, r => r.Template == "/api/jobs" && r.Method == "post");
        Assert.Contains(routes, r => r.Template == "/api/hooks/{name}" && r.Method == "post");

        var missing = new List<string>();
        foreach (var route in routes)
        {
            bool isRecordRoute = route.Template.StartsWith("/api/" + CollectionSegment, StringComparison.Ordinal);
            string path = isRecordRoute ? route.Template.Replace(CollectionSegment, "posts", StringComparison.Ordinal) : route.Template;
            if (!paths.TryGetProperty(path, out var item) || !item.TryGetProperty(route.Method, out var operation))
            {
                missing.Add($"{route.Method.ToUpperInvariant()} {path} ({route.Name})");
                continue;
            }

            if (isRecordRoute)
            {
                // One operation per collection, so the ids name the collection instead of the route.
                Assert.Contains("Posts", operation.GetProperty("operationId").GetString());
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(route.Name), $"{route.Method.ToUpperInvariant()} {route.Template} has no WithName");
                Assert.Equal(char.ToLowerInvariant(route.Name![0]) + route.Name[1..], operation.GetProperty("operationId").GetString());
            }
        }

        Assert.True(missing.Count == 0, "routes missing from /openapi.json:\n" + string.Join("\n", missing));
    }

    [Fact]
    public async Task Every_documented_api_operation_is_a_mapped_route()
    {
        var doc = await OpenApiAssert.GetDocumentAsync(_app);
        var mapped = ApiRoutes().Select(r => (r.Method, r.Template)).ToHashSet();
        var collections = new[] { "users", "posts" };
        var phantom = new List<string>();
        foreach (var path in doc.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/api/", StringComparison.Ordinal)))
        {
            var segments = path.Name.Split('/');
            string template = collections.Contains(segments[2]) ? string.Join('/', segments[..2].Append(CollectionSegment).Concat(segments[3..])) : path.Name;
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name != "parameters"))
            {
                if (!mapped.Contains((operation.Name, template)))
                {
                    phantom.Add($"{operation.Name.ToUpperInvariant()} {path.Name}");
                }
            }
        }

        Assert.True(phantom.Count == 0, "documented but not mapped:\n" + string.Join("\n", phantom));
    }

    [Fact]
    public async Task Path_parameters_are_declared_for_every_template_segment()
    {
        var doc = await OpenApiAssert.GetDocumentAsync(_app);
        var components = doc.GetProperty("components").GetProperty("parameters");
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        {
            var expected = Parameter().Matches(path.Name).Select(m => m.Groups[1].Value).Order().ToList();
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name != "parameters"))
            {
                var declared = PathParameters(path.Value, components).Concat(PathParameters(operation.Value, components)).Distinct().Order().ToList();
                Assert.True(expected.SequenceEqual(declared), $"{operation.Name} {path.Name} declares [{string.Join(", ", declared)}]");
            }
        }
    }

    /// <summary>Every /api endpoint as (lower-case method, template without constraints or trailing slash, name).</summary>
    private List<(string Method, string Template, string? Name)> ApiRoutes()
    {
        var routes = new List<(string, string, string?)>();
        foreach (var endpoint in _app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            string template = "/" + Constraint().Replace(endpoint.RoutePattern.RawText ?? string.Empty, "}").Trim('/');
            if (!template.StartsWith("/api/", StringComparison.Ordinal))
            {
                continue;
            }

            string? name = endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName;
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
            Assert.True(methods is { Count: > 0 }, $"{template} accepts any method; map it with one");
            routes.AddRange(methods.Select(method => (method.ToLowerInvariant(), template, name)));
        }

        return routes;
    }

    private static IEnumerable<string> PathParameters(JsonElement owner, JsonElement components)
    {
        if (!owner.TryGetProperty("parameters", out var parameters))
        {
            yield break;
        }

        foreach (var parameter in parameters.EnumerateArray())
        {
            var resolved = parameter.TryGetProperty("$ref", out var reference)
                ? components.GetProperty(reference.GetString()!["#/components/parameters/".Length..])
                : parameter;
            if (resolved.GetProperty("in").GetString() == "path")
            {
                Assert.True(resolved.GetProperty("required").GetBoolean());
                yield return resolved.GetProperty("name").GetString()!;
            }
        }
    }

    [GeneratedRegex(@":[^}]*\}")]
    private static partial Regex Constraint();

    [GeneratedRegex(@"\{([^}]+)\}")]
    private static partial Regex Parameter();
}
