namespace Fundament.Rules;

internal enum TokenKind
{
    End,
    Identifier,
    Variable,
    String,
    Number,
    Equal,
    NotEqual,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
    Contains,
    NotContains,
    AnyEqual,
    And,
    Or,
    Not,
    OpenParen,
    CloseParen,
}

/// <summary>
/// One lexeme of a filter. <see cref="Text"/> is the source slice (for messages); <see cref="Value"/> holds
/// the unescaped string, the number (long or double), or the identifier/variable path without <c>@</c>.
/// </summary>
internal readonly record struct Token(TokenKind Kind, int Position, string Text, object? Value = null)
{
    public bool IsComparison => Kind is >= TokenKind.Equal and <= TokenKind.AnyEqual;

    /// <summary>The token as a message shows it, shortened so a huge literal cannot bloat an error.</summary>
    public string Display => Kind == TokenKind.End ? "end of input" : "'" + FilterError.Shorten(Text) + "'";
}
