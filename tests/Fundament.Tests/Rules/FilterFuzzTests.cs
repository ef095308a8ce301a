using Fundament.Rules;

namespace Fundament.Tests.Rules;

/// <summary>
/// Random input, from near-valid to garbage: every string must give a compiled filter whose SQL runs,
/// or a 400 — never an exception. Fixed seeds keep failures reproducible.
/// </summary>
public sealed class FilterFuzzTests : IDisposable
{
    private static readonly string[] Pieces =
    [
        "title", "views", "score", "published", "published_at", "tags", "status", "meta", "author", "author.name",
        "author.profile.bio", "author.age", "id", "created_at", "secret", "nope", "title.x", "a.b.c.d",
        "=", "!=", ">", ">=", "<", "<=", "~", "!~", "?=", "&&", "||", "!", "(", ")", "(", ")",
        "'abc'", "\"x\"", "'2024-01-01'", "'0190a5b8-0000-7000-8000-000000000001'", "'%_\\\\'", "'it\\'s'",
        "1", "-2.5", "0", "99999999999999999999", "true", "false", "null",
        "@now", "@request.method", "@request.auth.id", "@request.auth.age", "@request.body.title", "@request.body.n", "@request.auth", "@",
        "'", "\"", "\\", ";", "--", "/*", "\0", "é", "\U0001F600", "\uD800", ".", "-", "DROP TABLE posts", "1=1", "OR", "AND",
    ];

    private const string Characters = "abtitle_0123456789 ()'\"\\!=<>~?&|@.-;%\0é\t\n";

    private static readonly RuleContext Context = new()
    {
        Auth = new Dictionary<string, object?> { ["id"] = "0190a5b8-0000-7000-8000-000000000001", ["age"] = 30L },
        Body = BlogSchema.Json("""{"title": "x", "n": 2.5}"""),
        Method = "POST",
    };

    private readonly BlogDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public void Random_token_sequences_compile_to_runnable_sql_or_a_400()
    {
        var random = new Random(20240601);
        int compiled = 0;
        for (int i = 0; i < 3000; i++)
        {
            var tokens = new List<string>();
            Expression(random, tokens, depth: 0);

            // Half the inputs stay grammatical; the rest get a few random pieces swapped in, added or dropped.
            for (int mutations = random.Next(2) * random.Next(1, 4); mutations > 0 && tokens.Count > 0; mutations--)
            {
                int at = random.Next(tokens.Count);
                switch (random.Next(3))
                {
                    case 0: tokens[at] = Pieces[random.Next(Pieces.Length)]; break;
                    case 1: tokens.Insert(at, Pieces[random.Next(Pieces.Length)]); break;
                    default: tokens.RemoveAt(at); break;
                }
            }

            string separator = random.Next(4) == 0 ? string.Empty : " ";
            compiled += Check(string.Join(separator, tokens)) ? 1 : 0;
        }

        // The generator must reach the compiler's success paths too, not only syntax errors.
        Assert.True(compiled > 500, $"only {compiled} inputs compiled");
    }

    private static void Expression(Random random, List<string> tokens, int depth)
    {
        switch (depth > 3 ? 0 : random.Next(6))
        {
            case 1:
                tokens.Add("(");
                Expression(random, tokens, depth + 1);
                tokens.Add(")");
                break;
            case 2:
                tokens.Add("!");
                Expression(random, tokens, depth + 1);
                break;
            case 3 or 4:
                Expression(random, tokens, depth + 1);
                tokens.Add(random.Next(2) == 0 ? "&&" : "||");
                Expression(random, tokens, depth + 1);
                break;
            default:
                var (field, operators, values) = Comparisons[random.Next(Comparisons.Length)];
                bool swap = random.Next(5) == 0;
                string value = random.Next(6) == 0 ? Pieces[random.Next(Pieces.Length)] : values[random.Next(values.Length)];
                tokens.Add(swap ? value : field);
                tokens.Add(random.Next(8) == 0 ? "?=" : operators[random.Next(operators.Length)]);
                tokens.Add(swap ? field : value);
                break;
        }
    }

    private static readonly (string Field, string[] Operators, string[] Values)[] Comparisons =
    [
        ("title", ["=", "!=", ">", "<", "~", "!~"], ["'abc'", "\"x\"", "'%_\\\\'", "@request.body.title", "@request.method", "null", "body", "@request.auth.id"]),
        ("views", ["=", "!=", ">", ">=", "<", "<="], ["1", "-2.5", "0", "score", "@request.auth.age", "@request.body.n", "null"]),
        ("published", ["=", "!="], ["true", "false", "null", "@request.body.title"]),
        ("published_at", [">", "<", "=", "!="], ["'2024-01-01'", "@now", "null", "created_at"]),
        ("tags", ["?=", "=", "!="], ["'a'", "@request.body.title", "null"]),
        ("meta", ["=", "!="], ["null"]),
        ("author", ["=", "!=", ">"], ["'0190a5b8-0000-7000-8000-000000000001'", "@request.auth.id", "id", "null"]),
        ("author.name", ["=", "~", "!~", "!="], ["'abc'", "@request.auth.id"]),
        ("author.profile.bio", ["~", "=", "!="], ["'x'", "null"]),
        ("@request.auth.id", ["=", "!="], ["null", "author", "'x'", "@request.body.title"]),
        ("'abc'", ["=", "<", "~"], ["'abd'", "@request.method", "1"]),
        ("@now", [">", "="], ["'2020-01-01'", "created_at", "@request.body.title"]),
    ];

    [Fact]
    public void Random_characters_compile_to_runnable_sql_or_a_400()
    {
        var random = new Random(7);
        for (int i = 0; i < 2000; i++)
        {
            var text = new char[random.Next(0, 40)];
            for (int j = 0; j < text.Length; j++)
            {
                text[j] = random.Next(20) == 0 ? (char)random.Next(char.MaxValue) : Characters[random.Next(Characters.Length)];
            }

            Check(new string(text));
        }
    }

    [Theory]
    [InlineData(100_000, '(')]
    [InlineData(5000, '!')]
    [InlineData(4097, 'a')]
    [InlineData(4096, '\'')]
    [InlineData(4096, '\\')]
    public void Huge_inputs_are_a_400(int length, char repeated) =>
        Assert.False(Check(new string(repeated, length)));

    [Fact]
    public void Deep_but_allowed_nesting_runs()
    {
        string filter = new string('!', 16) + new string('(', 16) + "views > 1" + new string(')', 16);
        Assert.True(Check(filter));
        Assert.True(Check(string.Join("||", Enumerable.Repeat("views!=1", Parser.MaxComparisons))));
        Assert.True(Check(string.Join("&&", Enumerable.Repeat("author.profile.bio!~'x'", 150))));
    }

    /// <summary>True when the filter compiled (and its SQL ran); false when it was a well-formed 400.</summary>
    private bool Check(string filter)
    {
        var outcome = FilterCompiler.Compile(filter, BlogSchema.Posts, BlogSchema.Schema);
        if (!outcome.IsSuccess)
        {
            Assert.Equal(400, outcome.Error.Status);
            Assert.StartsWith("Invalid filter: ", outcome.Error.Message, StringComparison.Ordinal);
            Assert.Matches(@" at position \d+$", outcome.Error.Message);
            return false;
        }

        _database.SelectPosts(outcome.Value, Context);
        _database.SelectPosts(outcome.Value, RuleContext.Anonymous);
        return true;
    }
}
