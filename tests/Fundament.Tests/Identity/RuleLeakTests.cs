using System.Net;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Identity;

/// <summary>Filters must not reveal what the caller may not view, through relations either.</summary>
public sealed class RuleLeakTests
{
    [Fact]
    public async Task Filters_cannot_probe_private_records_through_relations()
    {
        await using var app = await TestApp.StartAsync(DbKind.Sqlite);
        await app.CreateCollectionAsync("""{"name":"tags","fields":[{"name":"label","type":"text"}],"listRule":"","viewRule":""}""");
        await app.CreateCollectionAsync("""
            {"name":"posts","fields":[{"name":"title","type":"text"},{"name":"author","type":"relation","target":"users"},
             {"name":"tag","type":"relation","target":"tags"}],"listRule":"","viewRule":""}
            """);
        var user = await app.CreateRecordAsync("users", new { email = "secret@example.com", password = "pass word 12" });
        var tag = await app.CreateRecordAsync("tags", new { label = "news" });
        await app.CreateRecordAsync("posts", new { title = "p", author = user.GetProperty("id").GetString(), tag = tag.GetProperty("id").GetString() });

        var probe = await app.Anonymous.GetAsync("/api/posts?filter=" + Uri.EscapeDataString("author.email ~ 'secret'")).ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
        Assert.Contains("users", probe.GetProperty("error").GetProperty("message").GetString());
        var viaPublic = await app.Anonymous.GetAsync("/api/posts?filter=" + Uri.EscapeDataString("tag.label = 'news'")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(1, viaPublic.GetProperty("meta").GetProperty("total").GetInt64());
        var asSuperuser = await app.Admin.GetAsync("/api/posts?filter=" + Uri.EscapeDataString("author.email ~ 'secret'")).ShouldBe(HttpStatusCode.OK);
        Assert.Equal(1, asSuperuser.GetProperty("meta").GetProperty("total").GetInt64());
    }
}
