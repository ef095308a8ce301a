using System.Net;
using Fundament.Tests.Testing;

namespace Fundament.Tests.OpenApi;

/// <summary>/docs: one self-contained page that reads /openapi.json; nothing is loaded from elsewhere.</summary>
public sealed class DocsPageTests
{
    [Fact]
    public async Task Docs_page_is_self_contained_html_that_fetches_the_document()
    {
        await using var app = await TestApp.StartAsync(DbKind.Sqlite);
        using var response = await app.Anonymous.GetAsync("/docs");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        string html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<script>", html);
        Assert.Contains("fetch(\"/openapi.json\"", html);
        Assert.DoesNotContain("<script src", html);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain("innerHTML", html);
    }
}
