using Fundament.Collections;
using Fundament.Rules;

namespace Fundament.Tests.Rules;

/// <summary>Runs compiled filters against a real SQLite database holding four posts (P1–P4), their authors and a profile.</summary>
public sealed class FilterExecutionTests : IDisposable
{
    private const string U1 = "0190a5b8-0000-7000-8000-000000000001";
    private const string U2 = "0190a5b8-0000-7000-8000-000000000002";
    private const string Profile1 = "0190a5b8-0000-7000-8000-0000000000f1";

    private static readonly Dictionary<string, string> PostNames = new()
    {
        ["0190a5b8-0000-7000-8000-0000000000a1"] = "P1",
        ["0190a5b8-0000-7000-8000-0000000000a2"] = "P2",
        ["0190a5b8-0000-7000-8000-0000000000a3"] = "P3",
        ["0190a5b8-0000-7000-8000-0000000000a4"] = "P4",
    };

    private static readonly RuleContext Alice = new()
    {
        Auth = new Dictionary<string, object?> { ["id"] = U1, ["name"] = "Alice", ["age"] = 30L, ["verified"] = true },
        Now = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
    };

    private readonly BlogDatabase _database = new();

    public FilterExecutionTests()
    {
        Insert(BlogSchema.Profiles, "0190a5b8-0000-7000-8000-0000000000f1", new() { ["bio"] = "Likes CATS" });
        Insert(BlogSchema.Users, U1, new() { ["name"] = "Alice", ["age"] = 30L, ["verified"] = true, ["profile"] = Profile1 });
        Insert(BlogSchema.Users, U2, new() { ["name"] = "Bob", ["age"] = 25L, ["verified"] = false });
        Insert(BlogSchema.Posts, Post("P1"), new()
        {
            ["title"] = "Hello World",
            ["body"] = "first",
            ["views"] = 10L,
            ["score"] = 1.5,
            ["published"] = true,
            ["published_at"] = Date(2024, 1, 1),
            ["tags"] = """["a","b"]""",
            ["status"] = "live",
            ["meta"] = """{"k":1}""",
            ["author"] = U1,
        }, created: Date(2024, 1, 1));
        Insert(BlogSchema.Posts, Post("P2"), new()
        {
            ["title"] = "100% real_deal",
            ["views"] = 5L,
            ["published"] = false,
            ["published_at"] = Date(2025, 6, 1),
            ["tags"] = """["c"]""",
            ["status"] = "draft",
            ["author"] = U2,
        }, created: Date(2024, 2, 1));
        Insert(BlogSchema.Posts, Post("P3"), new() { ["title"] = "hello again", ["body"] = "third", ["score"] = 3.0, ["published"] = true }, created: Date(2024, 3, 1));
        Insert(BlogSchema.Posts, Post("P4"), new() { ["views"] = 20L, ["tags"] = """["x_y"]""", ["status"] = "live", ["author"] = U1 }, created: Date(2030, 1, 1));
    }

    public void Dispose() => _database.Dispose();

    [Theory]
    [InlineData("title = 'Hello World'", "P1")]
    [InlineData("title = 'hello world'", "")]
    [InlineData("title != 'Hello World'", "P2,P3,P4")]
    [InlineData("title = null", "P4")]
    [InlineData("title != null", "P1,P2,P3")]
    [InlineData("views > 5", "P1,P4")]
    [InlineData("views >= 5 && views < 20", "P1,P2")]
    [InlineData("views <= 5", "P2")]
    [InlineData("views = 10.0", "P1")]
    [InlineData("views > 9.5", "P1,P4")]
    [InlineData("score > 1", "P1,P3")]
    [InlineData("score = 3", "P3")]
    [InlineData("published = true", "P1,P3")]
    [InlineData("published != true", "P2,P4")]
    [InlineData("published_at > '2024-06-01'", "P2")]
    [InlineData("published_at < @now", "P1,P2")]
    [InlineData("created_at > @now", "P4")]
    [InlineData("@now > '2025-12-31T23:59:59Z'", "P1,P2,P3,P4")]
    [InlineData("title ~ 'HELLO'", "P1,P3")]
    [InlineData("title ~ '%'", "P2")]
    [InlineData("title ~ '0%'", "P2")]
    [InlineData("title ~ 'l_o'", "")]
    [InlineData("title ~ '_'", "P2")]
    [InlineData("title !~ 'hello'", "P2,P4")]
    [InlineData("tags ?= 'a'", "P1")]
    [InlineData("tags ?= 'x_y'", "P4")]
    [InlineData("tags ?= 'x'", "")]
    [InlineData("tags = null", "P3")]
    [InlineData("meta != null", "P1")]
    [InlineData("status = 'live'", "P1,P4")]
    [InlineData("status < 'live'", "P2")]
    [InlineData("author = '0190A5B8-0000-7000-8000-000000000001'", "P1,P4")]
    [InlineData("id = '0190a5b8-0000-7000-8000-0000000000a3'", "P3")]
    [InlineData("id ~ 'A3'", "P3")]
    [InlineData("author.name = 'Alice'", "P1,P4")]
    [InlineData("author.name != 'Alice'", "P2,P3")]
    [InlineData("author.verified = false", "P2")]
    [InlineData("author.age > 26", "P1,P4")]
    [InlineData("author.profile.bio ~ 'cats'", "P1,P4")]
    [InlineData("author.profile = null", "P2,P3")]
    [InlineData("(views > 5 || published = false) && title != null", "P1,P2")]
    [InlineData("!(views > 5)", "P2")]
    [InlineData("!views > 5 || views = null", "P2,P3")]
    [InlineData("views > score", "P1")]
    [InlineData("title != body", "P1,P2,P3")]
    [InlineData("title = body", "")]
    [InlineData("1 = 1", "P1,P2,P3,P4")]
    [InlineData("'a' = 'b'", "")]
    [InlineData("null = null", "P1,P2,P3,P4")]
    [InlineData("1 < 1.5 && 'b' > 'a' && true != false", "P1,P2,P3,P4")]
    public void Filters_select_the_expected_rows(string filter, string expected) =>
        Assert.Equal(expected, Matching(filter, Alice));

    [Theory]
    [InlineData("author = @request.auth.id", "P1,P4", "")]
    [InlineData("author != @request.auth.id", "P2,P3", "")]
    [InlineData("author.name = @request.auth.name", "P1,P4", "")]
    [InlineData("@request.auth.id != null", "P1,P2,P3,P4", "")]
    [InlineData("@request.auth.id = null", "", "P1,P2,P3,P4")]
    [InlineData("@request.auth.verified = true && views > 9", "P1,P4", "")]
    [InlineData("views < @request.auth.age && @request.auth.age > 18", "P1,P2,P4", "")]
    [InlineData("author = @request.auth.id || published = true", "P1,P3,P4", "P1,P3")]
    [InlineData("!(author = @request.auth.id)", "P2", "")]
    public void Auth_values_match_the_caller_and_anonymous_callers_match_nothing(string filter, string asAlice, string anonymous)
    {
        Assert.Equal(asAlice, Matching(filter, Alice));
        Assert.Equal(anonymous, Matching(filter, RuleContext.Anonymous));
    }

    [Theory]
    [InlineData("title = @request.body.title", """{"title": "Hello World"}""", "P1")]
    [InlineData("title = @request.body.title", """{"other": 1}""", "")]
    [InlineData("title = @request.body.title", """{"title": 5}""", "")]
    [InlineData("title = @request.body.title", "[1, 2]", "")]
    [InlineData("views = @request.body.views", """{"views": 10}""", "P1")]
    [InlineData("views = @request.body.views", """{"views": "10"}""", "")]
    [InlineData("views < @request.body.views", """{"views": 10.5}""", "P1,P2")]
    [InlineData("published_at < @request.body.when", """{"when": "2025-01-01"}""", "P1")]
    [InlineData("author = @request.body.author", """{"author": "0190A5B8-0000-7000-8000-000000000002"}""", "P2")]
    [InlineData("author = @request.body.author", """{"author": "nope"}""", "")]
    [InlineData("title ~ @request.body.q", """{"q": "%"}""", "P2")]
    [InlineData("title !~ @request.body.q", """{"q": "hello"}""", "P2,P4")]
    [InlineData("title !~ @request.body.q", """{}""", "")]
    [InlineData("tags ?= @request.body.tag", """{"tag": "c"}""", "P2")]
    [InlineData("@request.body.title != null", """{"title": null}""", "")]
    [InlineData("@request.body.title = null", """{"title": null}""", "P1,P2,P3,P4")]
    [InlineData("@request.body.n > 3", """{"n": 4}""", "P1,P2,P3,P4")]
    public void Body_values_are_converted_to_the_other_side_type(string filter, string body, string expected) =>
        Assert.Equal(expected, Matching(filter, new RuleContext { Body = BlogSchema.Json(body) }));

    [Fact]
    public void The_request_method_can_be_tested()
    {
        Assert.Equal("P1,P2,P3,P4", Matching("@request.method = 'POST'", new RuleContext { Method = "POST" }));
        Assert.Equal("", Matching("@request.method = 'POST'", RuleContext.Anonymous));
        Assert.Equal("P1,P2,P3,P4", Matching("@request.method ~ 'os'", new RuleContext { Method = "POST" }));
    }

    [Theory]
    [InlineData("title = '1=1; DROP TABLE posts'")]
    [InlineData("title = '\\' OR 1=1 --'")]
    [InlineData("title = \"x\\\" OR \\\"1\\\"=\\\"1\"")]
    [InlineData("title ~ '%\\' OR 1=1; DROP TABLE posts; --'")]
    [InlineData("title = '); DROP TABLE posts; --'")]
    [InlineData("title = '\u2028\uFEFF\U0001F600'")]
    public void Injection_attempts_in_strings_are_only_values(string filter)
    {
        Assert.Equal("", Matching(filter, RuleContext.Anonymous));
        Assert.Equal(4L, Count());
    }

    [Theory]
    [InlineData("1=1; DROP TABLE posts")]
    [InlineData("title = '' OR 1=1 --")]
    [InlineData("title = 'Robert'); DROP TABLE posts;--'")]
    [InlineData("title = '' || 1=1 --")]
    [InlineData("title IN ('x')")]
    [InlineData("title = 'x' /* c */")]
    [InlineData("posts.title = 'x'")]
    [InlineData("title = 'x\0'")]
    public void Injection_attempts_outside_strings_are_a_400(string filter)
    {
        var outcome = FilterCompiler.Compile(filter, BlogSchema.Posts, BlogSchema.Schema);
        Assert.Equal(400, outcome.Error?.Status);
        Assert.Equal(4L, Count());
    }

    private string Matching(string filter, RuleContext context)
    {
        var compiled = FilterCompiler.Compile(filter, BlogSchema.Posts, BlogSchema.Schema);
        Assert.True(compiled.IsSuccess, compiled.Error?.Message);
        var names = _database.SelectPosts(compiled.Value, context).Select(id => PostNames[id]).ToList();
        names.Sort(StringComparer.Ordinal);
        return string.Join(",", names);
    }

    private long Count() => _database.CountPosts();

    private static string Post(string name) => PostNames.First(pair => pair.Value == name).Key;

    private static DateTime Date(int year, int month, int day) => new(year, month, day, 0, 0, 0, DateTimeKind.Utc);

    private void Insert(Collection collection, string id, Dictionary<string, object?> values, DateTime? created = null) =>
        _database.Insert(collection, id, values, created ?? Date(2024, 1, 1));
}
