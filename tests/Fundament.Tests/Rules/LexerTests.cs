using Fundament.Rules;

namespace Fundament.Tests.Rules;

public sealed class LexerTests
{
    private static List<Token> Tokens(string text)
    {
        var tokens = new List<Token>();
        Assert.True(Lexer.TryTokenize(text, tokens, out var error), error.Describe());
        return tokens;
    }

    private static FilterError Error(string text)
    {
        Assert.False(Lexer.TryTokenize(text, [], out var error));
        return error;
    }

    [Fact]
    public void Operators_are_read_longest_first_with_their_positions()
    {
        var tokens = Tokens("a!=b !~ >= <= ?= && || ! ( ) = > < ~");
        Assert.Equal(
            [TokenKind.Identifier, TokenKind.NotEqual, TokenKind.Identifier, TokenKind.NotContains, TokenKind.GreaterOrEqual,
             TokenKind.LessOrEqual, TokenKind.AnyEqual, TokenKind.And, TokenKind.Or, TokenKind.Not, TokenKind.OpenParen,
             TokenKind.CloseParen, TokenKind.Equal, TokenKind.Greater, TokenKind.Less, TokenKind.Contains, TokenKind.End],
            tokens.Select(token => token.Kind));
        Assert.Equal([0, 1, 3, 5, 8, 11, 14, 17, 20, 23, 25, 27, 29, 31, 33, 35, 36], tokens.Select(token => token.Position));
    }

    [Fact]
    public void Strings_unescape_quotes_and_backslashes_in_both_quote_styles()
    {
        var tokens = Tokens("""'it\'s' "say \"hi\"" 'a\\b' "it's" 'say "x"'""");
        Assert.Equal(["it's", "say \"hi\"", "a\\b", "it's", "say \"x\""], tokens.SkipLast(1).Select(token => (string)token.Value!));
    }

    [Fact]
    public void Numbers_are_long_when_integral_and_in_range_else_double()
    {
        var tokens = Tokens("42 -7 1.5 -0.25 99999999999999999999");
        Assert.Equal(42L, tokens[0].Value);
        Assert.Equal(-7L, tokens[1].Value);
        Assert.Equal(1.5, tokens[2].Value);
        Assert.Equal(-0.25, tokens[3].Value);
        Assert.Equal(1e20, tokens[4].Value);
    }

    [Fact]
    public void Paths_and_variables_are_single_tokens()
    {
        var tokens = Tokens("author.profile.bio=@request.auth.id");
        Assert.Equal(TokenKind.Identifier, tokens[0].Kind);
        Assert.Equal("author.profile.bio", tokens[0].Value);
        Assert.Equal(TokenKind.Variable, tokens[2].Kind);
        Assert.Equal("request.auth.id", tokens[2].Value);
        Assert.Equal(19, tokens[2].Position);
    }

    [Theory]
    [InlineData("title = 'abc", "unterminated string", 8)]
    [InlineData("title = \"abc\\\"", "unterminated string", 8)]
    [InlineData("title = 'a\\nb'", "invalid escape", 10)]
    [InlineData("a = 1 & b = 2", "unexpected character '&'", 6)]
    [InlineData("a = 1 | b", "unexpected character '|'", 6)]
    [InlineData("a ? 1", "unexpected character '?'", 2)]
    [InlineData("a = 1; DROP TABLE x", "unexpected character ';'", 5)]
    [InlineData("a = 1.", "invalid number", 4)]
    [InlineData("a = 12abc", "invalid number", 4)]
    [InlineData("a = 1.2.3", "invalid number", 4)]
    [InlineData("author. = 1", "expected a name after '.'", 7)]
    [InlineData("tïtle = 1", "unexpected character U+00EF", 1)]
    [InlineData("a = 'x\0y'", "unexpected character U+0000", 6)]
    [InlineData("a = @", "unexpected character '@'", 4)]
    public void Bad_input_is_reported_at_its_position(string text, string problem, int position)
    {
        var error = Error(text);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
        Assert.Equal(position, error.Position);
    }
}
