using Fundament.Data;
using Fundament.Data.Sqlite;
using Fundament.Http;
using Fundament.Rules;
using Microsoft.Data.Sqlite;

namespace Fundament.Tests.Rules;

public sealed class FilterCompilerTests
{
    private static CompiledFilter Compile(string filter)
    {
        var outcome = FilterCompiler.Compile(filter, BlogSchema.Posts, BlogSchema.Schema);
        Assert.True(outcome.IsSuccess, outcome.Error?.Message);
        return outcome.Value;
    }

    private static string Sql(string filter, RuleContext? context = null)
    {
        var sql = new SqlBuilder(SqliteDialect.Instance);
        Compile(filter).AppendTo(sql, "t", context ?? RuleContext.Anonymous);
        return sql.ToString();
    }

    private static object?[] Parameters(string filter, RuleContext? context = null)
    {
        var sql = new SqlBuilder(SqliteDialect.Instance);
        Compile(filter).AppendTo(sql, "t", context ?? RuleContext.Anonymous);
        using var connection = new SqliteConnection("Data Source=:memory:");
        using var command = sql.CreateCommand(connection);
        return [.. command.Parameters.Cast<SqliteParameter>().Select(parameter => parameter.Value is DBNull ? null : parameter.Value)];
    }

    private static void AssertError(string filter, string problem, int position)
    {
        var outcome = FilterCompiler.Compile(filter, BlogSchema.Posts, BlogSchema.Schema);
        Assert.False(outcome.IsSuccess, "compiled: " + filter);
        var error = outcome.Error;
        Assert.Equal(400, error.Status);
        Assert.Equal(ErrorCodes.BadRequest, error.Code);
        string expected = $"{problem} at position {position}";
        Assert.Equal("Invalid filter: " + expected, error.Message);
        Assert.Equal([new ErrorDetail("filter", expected)], error.Details);
    }

    [Theory]
    [InlineData("nope = 1", "unknown field 'nope'", 0)]
    [InlineData("views = 1 && nope = 1", "unknown field 'nope'", 13)]
    [InlineData("secret = 'x'", "unknown field 'secret'", 0)]
    [InlineData("author.password = 'x'", "unknown field 'author.password'", 7)]
    [InlineData("author.nope = 'x'", "unknown field 'author.nope'", 7)]
    [InlineData("title.x = 'x'", "'title' is not a relation", 0)]
    [InlineData("author.profile.bio.x = 'x'", "field path 'author.profile.bio.x' has more than 3 parts", 0)]
    [InlineData("views = 'abc'", "'views' is a number but 'abc' is a string", 8)]
    [InlineData("title = 5", "'title' is text but 5 is a number", 8)]
    [InlineData("published = 'yes'", "'published' is a boolean but 'yes' is a string", 12)]
    [InlineData("title = views", "'title' is text but 'views' is a number", 8)]
    [InlineData("author = title", "'author' is an id but 'title' is text", 9)]
    [InlineData("author = 'not-a-uuid'", "'author' is an id but 'not-a-uuid' is not a valid UUID", 9)]
    [InlineData("id != 'x'", "'id' is an id but 'x' is not a valid UUID", 6)]
    [InlineData("created_at > 'yesterday'", "'created_at' is a datetime but 'yesterday' is not a valid date", 13)]
    [InlineData("published_at < 2024", "'published_at' is a datetime but 2024 is a number", 15)]
    [InlineData("title = @now", "'title' is text but @now is a datetime", 8)]
    [InlineData("views = @request.method", "'views' is a number but @request.method is text", 8)]
    [InlineData("'a' = 1", "'a' is a string but 1 is a number", 6)]
    [InlineData("@now > 'soon'", "@now is a datetime but 'soon' is not a valid date", 7)]
    [InlineData("published > true", "operator '>' cannot be used with 'published' (a boolean)", 10)]
    [InlineData("views ~ 'x'", "operator '~' cannot be used with 'views' (a number)", 6)]
    [InlineData("title ~ 5", "operator '~' needs a string but 5 is a number", 8)]
    [InlineData("title ~ body", "the right side of '~' must be a value, not a field", 8)]
    [InlineData("title ?= 'a'", "operator '?=' needs a multiple select field on its left, not 'title' (text)", 6)]
    [InlineData("tags ?= 1", "operator '?=' needs a string but 1 is a number", 8)]
    [InlineData("tags = 'a'", "'tags' is a multiple select and can only be compared with '?=' or null", 5)]
    [InlineData("meta != '{}'", "'meta' is JSON and can only be compared with null", 5)]
    [InlineData("views > null", "operator '>' cannot be used with null", 6)]
    [InlineData("title = 'abc", "unterminated string", 8)]
    [InlineData("title = 'x' title", "unexpected 'title'", 12)]
    [InlineData("", "empty expression", 0)]
    public void Problems_are_a_400_with_their_position(string filter, string problem, int position) =>
        AssertError(filter, problem, position);

    [Fact]
    public void The_caller_chooses_the_detail_field()
    {
        var outcome = FilterCompiler.Compile("nope = 1", BlogSchema.Posts, BlogSchema.Schema, "listRule");
        Assert.Equal("listRule", Assert.Single(outcome.Error!.Details!).Field);
    }

    [Fact]
    public void Long_literals_are_shortened_in_messages()
    {
        var outcome = FilterCompiler.Compile("views = '" + new string('x', 1000) + "'", BlogSchema.Posts, BlogSchema.Schema);
        Assert.True(outcome.Error!.Message.Length < 150, outcome.Error.Message);
    }

    [Theory]
    [InlineData("title = 'x'", "(t.\"title\" = @p0)")]
    [InlineData("title != 'x'", "((t.\"title\" <> @p0 OR t.\"title\" IS NULL))")]
    [InlineData("title = null", "(t.\"title\" IS NULL)")]
    [InlineData("null != title", "(t.\"title\" IS NOT NULL)")]
    [InlineData("meta = null", "(t.\"meta\" IS NULL)")]
    [InlineData("views > 1 && (score <= 2 || !published = true)",
        "((t.\"views\" > @p0 AND (t.\"score\" <= @p1 OR NOT (t.\"published\" = @p2))))")]
    [InlineData("title ~ 'a'", "(t.\"title\" LIKE '%' || @p0 || '%' ESCAPE '\\')")]
    [InlineData("title !~ 'a'", "((NOT (t.\"title\" LIKE '%' || @p0 || '%' ESCAPE '\\') OR t.\"title\" IS NULL))")]
    [InlineData("id ~ '01'", "(CAST(t.\"id\" AS TEXT) LIKE '%' || @p0 || '%' ESCAPE '\\')")]
    [InlineData("tags ?= 'a'", "(EXISTS (SELECT 1 FROM json_each(t.\"tags\") WHERE json_each.value = @p0))")]
    [InlineData("title != body", "((t.\"title\" <> t.\"body\" OR (t.\"title\" IS NULL) <> (t.\"body\" IS NULL)))")]
    [InlineData("author.name = 'x'", "((SELECT r1.\"name\" FROM \"users\" r1 WHERE r1.\"id\" = t.\"author\") = @p0)")]
    [InlineData("author.profile.bio = 'x'",
        "((SELECT r2.\"bio\" FROM \"profiles\" r2 WHERE r2.\"id\" = (SELECT r1.\"profile\" FROM \"users\" r1 WHERE r1.\"id\" = t.\"author\")) = @p0)")]
    [InlineData("1 = 1", "(@p0 = @p1)")]
    [InlineData("author = @request.auth.id", "(t.\"author\" = @p0)")]
    [InlineData("author != @request.auth.id", "(t.\"author\" <> @p0)")]
    [InlineData("@request.auth.id != null", "(@p0 IS NOT NULL)")]
    public void Filters_become_parenthesised_sql_with_parameters_only(string filter, string sql) =>
        Assert.Equal(sql, Sql(filter));

    [Fact]
    public void Literals_are_converted_to_the_field_type()
    {
        Assert.Equal([10L], Parameters("views = 10"));
        Assert.Equal([10.5], Parameters("views < 10.5"));
        Assert.Equal([3.0], Parameters("score = 3"));
        Assert.Equal([1L], Parameters("published = true"));
        Assert.Equal(["0190a5b8-1c2d-7e3f-8a4b-5c6d7e8f9a0b"], Parameters("author = '0190A5B8-1C2D-7E3F-8A4B-5C6D7E8F9A0B'"));
        Assert.Equal(["2024-01-02T03:04:05.000000Z"], Parameters("created_at >= '2024-01-02T04:04:05+01:00'"));
        Assert.Equal(["2024-01-02T00:00:00.000000Z"], Parameters("created_at >= '2024-01-02'"));
        Assert.Equal(["100\\%\\_\\\\"], Parameters("title ~ '100%_\\\\'"));
    }

    [Fact]
    public void Request_values_are_read_when_the_filter_is_emitted()
    {
        var context = new RuleContext
        {
            Auth = new Dictionary<string, object?> { ["id"] = "0190A5B8-1C2D-7E3F-8A4B-5C6D7E8F9A0B", ["age"] = 30L },
            Body = BlogSchema.Json("""{"title": "a%b", "views": 2.5, "flag": "yes"}"""),
            Method = "PATCH",
            Now = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc),
        };
        Assert.Equal(["0190a5b8-1c2d-7e3f-8a4b-5c6d7e8f9a0b"], Parameters("author = @request.auth.id", context));
        Assert.Equal([30.0], Parameters("score = @request.auth.age", context));
        Assert.Equal(["a\\%b"], Parameters("title ~ @request.body.title", context));
        Assert.Equal([2.5], Parameters("views = @request.body.views", context));
        Assert.Equal([null], Parameters("published = @request.body.flag", context));
        Assert.Equal([null], Parameters("published = @request.body.missing", context));
        Assert.Equal(["PATCH", "PATCH"], Parameters("@request.method = 'PATCH'", context));
        Assert.Equal(["2026-01-02T03:04:05.000000Z"], Parameters("created_at < @now", context));
        Assert.Equal([null], Parameters("author = @request.auth.id"));
    }
}
