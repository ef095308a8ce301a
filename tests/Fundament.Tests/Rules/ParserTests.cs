using Fundament.Rules;

namespace Fundament.Tests.Rules;

public sealed class ParserTests
{
    private static FilterNode Parse(string text)
    {
        Assert.True(Parser.TryParse(text, out var node, out var error), error.Describe());
        return node!;
    }

    private static FilterError Error(string text)
    {
        Assert.False(Parser.TryParse(text, out _, out var error));
        return error;
    }

    /// <summary>A compact picture of the tree: comparisons by their left field, groups in brackets.</summary>
    private static string Shape(FilterNode node) => node switch
    {
        OrNode or => "or[" + string.Join(",", or.Items.Select(Shape)) + "]",
        AndNode and => "and[" + string.Join(",", and.Items.Select(Shape)) + "]",
        NotNode not => "not[" + Shape(not.Operand) + "]",
        CompareNode compare => compare.Left.Text,
        _ => "?",
    };

    [Theory]
    [InlineData("a = 1 || b = 2 && c = 3", "or[a,and[b,c]]")]
    [InlineData("a = 1 && b = 2 || c = 3", "or[and[a,b],c]")]
    [InlineData("(a = 1 || b = 2) && c = 3", "and[or[a,b],c]")]
    [InlineData("!a = 1 && b = 2", "and[not[a],b]")]
    [InlineData("!(a = 1 && b = 2)", "not[and[a,b]]")]
    [InlineData("!!a = 1", "not[not[a]]")]
    [InlineData("a = 1 && b = 2 && c = 3 && d = 4", "and[a,b,c,d]")]
    [InlineData("((a = 1))", "a")]
    public void And_binds_tighter_than_or_and_not_binds_tightest(string text, string shape) =>
        Assert.Equal(shape, Shape(Parse(text)));

    [Fact]
    public void Operands_take_their_kinds()
    {
        var compare = (CompareNode)Parse("author.name != @request.auth.name");
        Assert.Equal(["author", "name"], ((FieldOperand)compare.Left).Path);
        Assert.Equal("name", ((AuthOperand)compare.Right).Name);
        Assert.Equal(12, compare.Position);

        compare = (CompareNode)Parse("@request.body.x_1 = null");
        Assert.Equal("x_1", ((BodyOperand)compare.Left).Name);
        Assert.IsType<NullOperand>(compare.Right);
        Assert.IsType<NowOperand>(((CompareNode)Parse("@now > true")).Left);
        Assert.IsType<BoolOperand>(((CompareNode)Parse("@now > true")).Right);
        Assert.IsType<MethodOperand>(((CompareNode)Parse("@request.method = 'GET'")).Left);
    }

    [Theory]
    [InlineData("", "empty expression", 0)]
    [InlineData("   ", "empty expression", 0)]
    [InlineData("a = 1 b = 2", "unexpected 'b'", 6)]
    [InlineData("a = 1)", "unexpected ')'", 5)]
    [InlineData("(a = 1", "expected ')' but found end of input", 6)]
    [InlineData("a = ", "expected a field or value but found end of input", 4)]
    [InlineData("a 1", "expected an operator but found '1'", 2)]
    [InlineData("a = 1 &&", "expected a field or value", 8)]
    [InlineData("&& a = 1", "expected a field or value but found '&&'", 0)]
    [InlineData("a = = 1", "expected a field or value but found '='", 4)]
    [InlineData("()", "expected a field or value but found ')'", 1)]
    [InlineData("a = @request.auth", "unknown variable '@request.auth'", 4)]
    [InlineData("a = @request.auth.x.y", "unknown variable", 4)]
    [InlineData("a = @request.headers.x", "unknown variable", 4)]
    [InlineData("a = @nowish", "unknown variable", 4)]
    public void Syntax_errors_point_at_the_offending_token(string text, string problem, int position)
    {
        var error = Error(text);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
        Assert.Equal(position, error.Position);
    }

    [Fact]
    public void Nesting_is_limited_without_overflowing_the_stack()
    {
        string deep = new string('(', Parser.MaxDepth) + "a = 1" + new string(')', Parser.MaxDepth);
        Parse(deep);

        var error = Error(new string('(', Parser.MaxDepth + 1) + "a = 1" + new string(')', Parser.MaxDepth + 1));
        Assert.Contains("nesting deeper than 32", error.Problem, StringComparison.Ordinal);
        Assert.Equal(Parser.MaxDepth, error.Position);

        Assert.Equal(Parser.MaxDepth, Error(new string('!', 4000) + "a = 1").Position);
        Assert.Equal(Parser.MaxDepth, Error(new string('(', 4000)).Position);
    }

    [Fact]
    public void Comparisons_and_length_are_limited()
    {
        string many = string.Join(" || ", Enumerable.Repeat("a = 1", Parser.MaxComparisons));
        Parse(many);

        var error = Error(many + " || b = 2");
        Assert.Contains("more than 256 comparisons", error.Problem, StringComparison.Ordinal);
        Assert.Equal(many.Length + 6, error.Position);

        error = Error("a = '" + new string('x', Parser.MaxLength) + "'");
        Assert.Contains("longer than 4096", error.Problem, StringComparison.Ordinal);
        Assert.Equal(Parser.MaxLength, error.Position);
    }
}
