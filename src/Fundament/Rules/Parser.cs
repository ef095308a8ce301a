namespace Fundament.Rules;

/// <summary>
/// Recursive-descent parser for the grammar in shared/API.md ("Filter language"). Hostile input is
/// bounded before it can hurt: the text length, the nesting of <c>(</c> and <c>!</c> (so recursion
/// stays shallow) and the number of comparisons (so the SQL and its parameters stay small).
/// </summary>
internal sealed class Parser
{
    public const int MaxLength = 4096;
    public const int MaxDepth = 32;
    public const int MaxComparisons = 256;

    private const string AuthPrefix = "request.auth.";
    private const string BodyPrefix = "request.body.";

    private readonly List<Token> _tokens;
    private int _index;
    private int _comparisons;
    private FilterError? _error;

    private Parser(List<Token> tokens) => _tokens = tokens;

    public static bool TryParse(string text, out FilterNode? node, out FilterError error)
    {
        node = null;
        if (text.Length > MaxLength)
        {
            error = new FilterError($"expression is longer than {MaxLength} characters", MaxLength);
            return false;
        }

        var tokens = new List<Token>(Math.Min(text.Length / 2 + 2, 256));
        if (!Lexer.TryTokenize(text, tokens, out error))
        {
            return false;
        }

        if (tokens[0].Kind == TokenKind.End)
        {
            error = new FilterError("empty expression", 0);
            return false;
        }

        var parser = new Parser(tokens);
        node = parser.ParseOr(0);
        if (node is not null && parser.Current.Kind != TokenKind.End)
        {
            parser.Fail<FilterNode>("unexpected " + parser.Current.Display, parser.Current.Position);
            node = null;
        }

        error = parser._error ?? default;
        return node is not null;
    }

    private Token Current => _tokens[_index];

    private FilterNode? ParseOr(int depth)
    {
        var first = ParseAnd(depth);
        if (first is null || Current.Kind != TokenKind.Or)
        {
            return first;
        }

        var items = new List<FilterNode> { first };
        while (Current.Kind == TokenKind.Or)
        {
            _index++;
            var next = ParseAnd(depth);
            if (next is null)
            {
                return null;
            }

            items.Add(next);
        }

        return new OrNode(items, first.Position);
    }

    private FilterNode? ParseAnd(int depth)
    {
        var first = ParseNot(depth);
        if (first is null || Current.Kind != TokenKind.And)
        {
            return first;
        }

        var items = new List<FilterNode> { first };
        while (Current.Kind == TokenKind.And)
        {
            _index++;
            var next = ParseNot(depth);
            if (next is null)
            {
                return null;
            }

            items.Add(next);
        }

        return new AndNode(items, first.Position);
    }

    private FilterNode? ParseNot(int depth)
    {
        var token = Current;
        if (token.Kind is TokenKind.Not or TokenKind.OpenParen)
        {
            if (depth >= MaxDepth)
            {
                return Fail<FilterNode>($"nesting deeper than {MaxDepth} levels", token.Position);
            }

            _index++;
            if (token.Kind == TokenKind.Not)
            {
                var operand = ParseNot(depth + 1);
                return operand is null ? null : new NotNode(operand, token.Position);
            }

            var inner = ParseOr(depth + 1);
            if (inner is null)
            {
                return null;
            }

            if (Current.Kind != TokenKind.CloseParen)
            {
                return Fail<FilterNode>("expected ')' but found " + Current.Display, Current.Position);
            }

            _index++;
            return inner;
        }

        return ParseCompare();
    }

    private CompareNode? ParseCompare()
    {
        var left = ParseOperand();
        if (left is null)
        {
            return null;
        }

        var op = Current;
        if (!op.IsComparison)
        {
            return Fail<CompareNode>("expected an operator but found " + op.Display, op.Position);
        }

        _index++;
        var right = ParseOperand();
        if (right is null)
        {
            return null;
        }

        if (++_comparisons > MaxComparisons)
        {
            return Fail<CompareNode>($"more than {MaxComparisons} comparisons", op.Position);
        }

        return new CompareNode(left, op.Kind, op.Text, right, op.Position);
    }

    private OperandNode? ParseOperand()
    {
        var token = Current;
        OperandNode? operand = token.Kind switch
        {
            TokenKind.String => new StringOperand((string)token.Value!, token.Text, token.Position),
            TokenKind.Number => new NumberOperand(token.Value!, token.Text, token.Position),
            TokenKind.Identifier => token.Text switch
            {
                "true" => new BoolOperand(true, token.Text, token.Position),
                "false" => new BoolOperand(false, token.Text, token.Position),
                "null" => new NullOperand(token.Text, token.Position),
                _ => new FieldOperand(token.Text.Split('.'), token.Text, token.Position),
            },
            TokenKind.Variable => ParseVariable(token),
            _ => Fail<OperandNode>("expected a field or value but found " + token.Display, token.Position),
        };
        if (operand is not null)
        {
            _index++;
        }

        return operand;
    }

    private OperandNode? ParseVariable(Token token)
    {
        string path = (string)token.Value!;
        if (path == "now")
        {
            return new NowOperand(token.Text, token.Position);
        }

        if (path == "request.method")
        {
            return new MethodOperand(token.Text, token.Position);
        }

        // One plain name after the prefix: the lexer already allows only [A-Za-z0-9_] and dots.
        if (path.StartsWith(AuthPrefix, StringComparison.Ordinal) && Lexer.IsName(path[AuthPrefix.Length..]))
        {
            return new AuthOperand(path[AuthPrefix.Length..], token.Text, token.Position);
        }

        if (path.StartsWith(BodyPrefix, StringComparison.Ordinal) && Lexer.IsName(path[BodyPrefix.Length..]))
        {
            return new BodyOperand(path[BodyPrefix.Length..], token.Text, token.Position);
        }

        return Fail<OperandNode>("unknown variable " + token.Display, token.Position);
    }

    private T? Fail<T>(string problem, int position)
        where T : class
    {
        _error ??= new FilterError(problem, position);
        return null;
    }
}
