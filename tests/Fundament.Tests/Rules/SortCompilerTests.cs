using Fundament.Rules;

namespace Fundament.Tests.Rules;

public sealed class SortCompilerTests
{
    [Fact]
    public void Keys_keep_their_order_and_direction()
    {
        var outcome = SortCompiler.Compile("-created_at, title,views", BlogSchema.Posts);
        Assert.True(outcome.IsSuccess, outcome.Error?.Message);
        Assert.Equal(
            [("created_at", true), ("title", false), ("views", false)],
            outcome.Value.Select(key => (key.Field.Name, key.Descending)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void No_sort_gives_no_keys(string? sort) =>
        Assert.Empty(SortCompiler.Compile(sort, BlogSchema.Posts).Value!);

    [Theory]
    [InlineData("nope", "unknown field 'nope'")]
    [InlineData("secret", "unknown field 'secret'")]
    [InlineData("author.name", "unknown field 'author.name'")]
    [InlineData("tags", "'tags' is a multiple select and cannot be sorted")]
    [InlineData("-meta", "'meta' is JSON and cannot be sorted")]
    [InlineData("title,,views", "empty sort key")]
    [InlineData("title,", "empty sort key")]
    [InlineData("-", "empty sort key")]
    [InlineData("title,-title", "'title' appears more than once")]
    [InlineData("id,title,body,views,score,published,status,created_at,updated_at", "at most 8 sort keys are allowed")]
    public void Bad_sorts_are_a_400(string sort, string problem)
    {
        var error = SortCompiler.Compile(sort, BlogSchema.Posts).Error;
        Assert.NotNull(error);
        Assert.Equal(400, error.Status);
        Assert.Equal("Invalid sort: " + problem, error.Message);
        Assert.Equal("sort", Assert.Single(error.Details!).Field);
    }
}
