using System.Globalization;
using System.Text;

namespace Fundament.Rules;

/// <summary>
/// Splits a filter into tokens. Identifiers and <c>@</c> variables keep their dotted path as one token
/// (<c>author.name</c>, <c>@request.auth.id</c>); the parser and compiler check what the path means.
/// </summary>
internal static class Lexer
{
    public static bool TryTokenize(string text, List<Token> tokens, out FilterError error)
    {
        int i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                tokens.Add(new Token(TokenKind.End, text.Length, string.Empty));
                error = default;
                return true;
            }

            if (!TryNext(text, ref i, out var token, out error))
            {
                return false;
            }

            tokens.Add(token);
        }
    }

    private static bool TryNext(string text, ref int i, out Token token, out FilterError error)
    {
        int start = i;
        char c = text[i];
        char next = i + 1 < text.Length ? text[i + 1] : '\0';
        error = default;
        token = default;
        var kind = (c, next) switch
        {
            ('=', _) => TokenKind.Equal,
            ('!', '=') => TokenKind.NotEqual,
            ('!', '~') => TokenKind.NotContains,
            ('!', _) => TokenKind.Not,
            ('>', '=') => TokenKind.GreaterOrEqual,
            ('>', _) => TokenKind.Greater,
            ('<', '=') => TokenKind.LessOrEqual,
            ('<', _) => TokenKind.Less,
            ('~', _) => TokenKind.Contains,
            ('?', '=') => TokenKind.AnyEqual,
            ('&', '&') => TokenKind.And,
            ('|', '|') => TokenKind.Or,
            ('(', _) => TokenKind.OpenParen,
            (')', _) => TokenKind.CloseParen,
            _ => TokenKind.End,
        };
        if (kind != TokenKind.End)
        {
            int length = kind is TokenKind.NotEqual or TokenKind.NotContains or TokenKind.GreaterOrEqual or TokenKind.LessOrEqual
                or TokenKind.AnyEqual or TokenKind.And or TokenKind.Or ? 2 : 1;
            i += length;
            token = new Token(kind, start, text.Substring(start, length));
            return true;
        }

        if (c is '\'' or '"')
        {
            return TryString(text, ref i, out token, out error);
        }

        if (char.IsAsciiDigit(c) || (c == '-' && char.IsAsciiDigit(next)))
        {
            return TryNumber(text, ref i, out token, out error);
        }

        if (IsNameStart(c) || (c == '@' && IsNameStart(next)))
        {
            if (!TryPath(text, c == '@' ? i + 1 : i, out int end, out error))
            {
                return false;
            }

            i = end;
            string source = text[start..end];
            token = c == '@'
                ? new Token(TokenKind.Variable, start, source, source[1..])
                : new Token(TokenKind.Identifier, start, source, source);
            return true;
        }

        error = new FilterError("unexpected character " + DescribeChar(c), start);
        return false;
    }

    private static bool TryString(string text, ref int i, out Token token, out FilterError error)
    {
        int start = i;
        char quote = text[i++];
        var value = new StringBuilder();
        while (i < text.Length)
        {
            char c = text[i];
            if (c == quote)
            {
                i++;
                token = new Token(TokenKind.String, start, text[start..i], value.ToString());
                error = default;
                return true;
            }

            if (c == '\\')
            {
                char escaped = i + 1 < text.Length ? text[i + 1] : '\0';
                if (escaped is not ('\'' or '"' or '\\'))
                {
                    token = default;
                    error = new FilterError("invalid escape in string (use \\\\, \\' or \\\")", i);
                    return false;
                }

                value.Append(escaped);
                i += 2;
                continue;
            }

            // PostgreSQL text cannot hold NUL, so refuse it here rather than fail at query time.
            if (c == '\0')
            {
                token = default;
                error = new FilterError("unexpected character U+0000", i);
                return false;
            }

            value.Append(c);
            i++;
        }

        token = default;
        error = new FilterError("unterminated string", start);
        return false;
    }

    private static bool TryNumber(string text, ref int i, out Token token, out FilterError error)
    {
        int start = i;
        if (text[i] == '-')
        {
            i++;
        }

        SkipDigits(text, ref i);
        bool integral = true;
        if (i < text.Length && text[i] == '.')
        {
            integral = false;
            i++;
            if (i >= text.Length || !char.IsAsciiDigit(text[i]))
            {
                token = default;
                error = new FilterError("invalid number", start);
                return false;
            }

            SkipDigits(text, ref i);
        }

        if (i < text.Length && (IsNameChar(text[i]) || text[i] == '.'))
        {
            token = default;
            error = new FilterError("invalid number", start);
            return false;
        }

        string source = text[start..i];
        object value;
        if (integral && long.TryParse(source, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long whole))
        {
            value = whole;
        }
        else
        {
            double real = double.Parse(source, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            if (!double.IsFinite(real))
            {
                token = default;
                error = new FilterError("number out of range", start);
                return false;
            }

            value = real;
        }

        token = new Token(TokenKind.Number, start, source, value);
        error = default;
        return true;
    }

    private static bool TryPath(string text, int i, out int end, out FilterError error)
    {
        while (true)
        {
            while (i < text.Length && IsNameChar(text[i]))
            {
                i++;
            }

            if (i >= text.Length || text[i] != '.')
            {
                end = i;
                error = default;
                return true;
            }

            i++;
            if (i >= text.Length || !IsNameStart(text[i]))
            {
                end = i;
                error = new FilterError("expected a name after '.'", i);
                return false;
            }
        }
    }

    private static void SkipDigits(string text, ref int i)
    {
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }
    }

    public static bool IsName(string text)
    {
        if (text.Length == 0 || !IsNameStart(text[0]))
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!IsNameChar(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c == '_';

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static string DescribeChar(char c) =>
        c is >= ' ' and <= '~' ? "'" + c + "'" : "U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);
}
