using Fundament.Collections;
using Fundament.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Fundament.OpenApi;

/// <summary>The API description (shared/API.md, "Operations"): <c>/openapi.json</c> from the live schema, and <c>/docs</c> to try it.</summary>
public static class OpenApiEndpoints
{
    public static IEndpointRouteBuilder MapOpenApiDocs(this IEndpointRouteBuilder app)
    {
        var cache = new OpenApiDocumentCache();
        app.MapGet("/openapi.json", (SchemaRegistry schemas, FundamentOptions options, JobHandlers handlers) => cache.Get(schemas.Current, options, handlers))
            .WithName("OpenApiDocument").WithTags("Operations").AllowAnonymous();
        app.MapGet("/docs", Docs).WithName("OpenApiDocs").WithTags("Operations").AllowAnonymous();
        return app;
    }

    private static FileContentHttpResult Docs(HttpContext http)
    {
        http.Response.Headers.ContentSecurityPolicy = DocsPage.ContentSecurityPolicy;
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.CacheControl = "no-cache";
        return TypedResults.File(DocsPage.Html, "text/html; charset=utf-8");
    }
}
