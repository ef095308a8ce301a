using System.Data.Common;
using Fundament.Collections;
using Fundament.Data;
using Fundament.Data.Postgres;
using Fundament.Data.Sqlite;
using Fundament.Rules;
using Fundament.Tests.Rules;
using Fundament.Tests.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Fundament.Tests.Realtime;

/// <summary>
/// Realtime judges rules in memory (<see cref="CompiledFilter.Match"/>) so fan-out needs no query per
/// subscriber. These tests hold it to the database: for every expression, caller and row, a decided
/// answer must be the one the SQL gives — including SQL's unknown under NOT, NULLs and ranges.
/// </summary>
public abstract class InMemoryRuleTests(DbKind kind) : IAsyncLifetime
{
    private const string U1 = "0190a5b8-0000-7000-8000-000000000001";
    private const string U2 = "0190a5b8-0000-7000-8000-000000000002";

    private static readonly DateTime Now = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static readonly RuleContext[] Contexts =
    [
        new() { Auth = new Dictionary<string, object?> { ["id"] = U1, ["name"] = "Alice", ["age"] = 30L, ["verified"] = true }, Now = Now },
        new() { Auth = new Dictionary<string, object?> { ["id"] = U2, ["name"] = "Bob", ["age"] = 25L, ["verified"] = false }, Now = Now },
        new() { Now = Now },
    ];

    private readonly List<Dictionary<string, object?>> _posts = [];
    private DbConnection _connection = null!;
    private ISqlDialect _dialect = null!;

    public static TheoryData<string> Expressions =>
    [
        "title = 'Hello World'", "title != 'Hello World'", "title = null", "title != null", "!(title = 'Hello World')",
        "views > 5", "views >= 5 && views < 20", "views <= 5", "views = 10.0", "views > 9.5", "!(views > 5)", "views != 5",
        "score > 1", "score = 3", "score < views", "published = true", "published != true", "!(published = true)",
        "published_at > '2024-06-01'", "published_at < @now", "created_at > @now", "!(published_at < @now)",
        "author = @request.auth.id", "author != @request.auth.id", "!(author = @request.auth.id)", "!(author != @request.auth.id)",
        "@request.auth.id != null", "@request.auth.id = null", "@request.auth.age > 20 && views > 1", "@request.auth.verified = published",
        "title = @request.auth.name", "!(title != @request.auth.name)", "title ~ 'hello'", "title !~ 'hello'", "!(title ~ 'hello')",
        "title ~ '100%'", "title ~ 'real_'", "title ~ @request.auth.name", "body !~ 'i'", "id ~ 'a1'", "id = '0190a5b8-0000-7000-8000-0000000000a1'",
        "tags ?= 'a'", "!(tags ?= 'a')", "tags ?= @request.auth.name", "status = 'live'", "status != 'live' || views > 5",
        "!(views > 5 && title ~ 'o')", "(views > 100) || !(score < 2)", "body = title", "body != title", "!(body != title)",
        "meta = null", "meta != null", "@request.method = 'GET'", "website = null", "author.name = 'Alice'", "author.profile.bio ~ 'cats'",
        "title > 'a'", "!(author.name = 'Bob') && views > 1",
    ];

    public async ValueTask InitializeAsync()
    {
        if (kind == DbKind.Sqlite)
        {
            _connection = new SqliteConnection("Data Source=:memory:");
            _dialect = SqliteDialect.Instance;
        }
        else
        {
            _connection = new NpgsqlConnection(await PostgresCluster.CreateDatabaseAsync());
            _dialect = PostgresDialect.Instance;
        }

        await _connection.OpenAsync();
        foreach (var collection in new[] { BlogSchema.Profiles, BlogSchema.Users, BlogSchema.Posts })
        {
            await CreateTableAsync(collection);
        }

        await InsertAsync(BlogSchema.Profiles, "0190a5b8-0000-7000-8000-0000000000f1", new() { ["bio"] = "Likes CATS" });
        await InsertAsync(BlogSchema.Users, U1, new() { ["name"] = "Alice", ["profile"] = "0190a5b8-0000-7000-8000-0000000000f1" });
        await InsertAsync(BlogSchema.Users, U2, new() { ["name"] = "Bob" });
        await InsertPostAsync("a1", new()
        {
            ["title"] = "Hello World",
            ["body"] = "first",
            ["views"] = 10L,
            ["score"] = 1.5,
            ["published"] = true,
            ["published_at"] = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            ["tags"] = """["a","b"]""",
            ["status"] = "live",
            ["meta"] = """{"k":1}""",
            ["author"] = U1,
        });
        await InsertPostAsync("a2", new()
        {
            ["title"] = "100% real_deal",
            ["views"] = 5L,
            ["published"] = false,
            ["published_at"] = new DateTime(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc),
            ["tags"] = """["c"]""",
            ["status"] = "draft",
            ["author"] = U2,
        });
        await InsertPostAsync("a3", new() { ["title"] = "hello again", ["body"] = "hello again", ["score"] = 3.0, ["published"] = true });
        await InsertPostAsync("a4", new() { ["title"] = "Alice", ["views"] = 20L, ["score"] = 30.5, ["tags"] = """["Alice"]""", ["author"] = U1 });
        await InsertPostAsync("a5", new() { ["title"] = "Grüße", ["body"] = "ÄRGER", ["views"] = 9_007_199_254_740_993L, ["score"] = 9_007_199_254_740_992.0 });
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    [Theory]
    [MemberData(nameof(Expressions))]
    public async Task A_decided_answer_is_the_databases(string expression)
    {
        var filter = FilterCompiler.Compile(expression, BlogSchema.Posts, BlogSchema.Schema);
        Assert.True(filter.IsSuccess, filter.Error?.Message);
        foreach (var context in Contexts)
        {
            var selected = await SelectAsync(filter.Value, context);
            foreach (var post in _posts)
            {
                string id = (string)post[Collection.IdField]!;
                var match = filter.Value.Match(post, context);
                if (match != RuleMatch.NeedsDatabase)
                {
                    Assert.True(selected.Contains(id) == (match == RuleMatch.Yes),
                        $"{expression} on {id} for {context.Auth?["name"] ?? "anonymous"}: memory says {match}, the database {selected.Contains(id)}");
                }
            }
        }
    }

    [Fact]
    public void Only_what_memory_cannot_know_needs_the_database()
    {
        var alice = Contexts[0];
        var post = new Dictionary<string, object?> { ["id"] = Post("a1"), ["title"] = "Hello", ["author"] = U1, ["views"] = 3L };
        Assert.Equal(RuleMatch.Yes, Compile("author = @request.auth.id && views < 5").Match(post, alice));
        Assert.Equal(RuleMatch.No, Compile("author = @request.auth.id").Match(post, Contexts[1]));
        Assert.Equal(RuleMatch.No, Compile("!(author = @request.auth.id)").Match(post, Contexts[2]));
        Assert.Equal(RuleMatch.NeedsDatabase, Compile("author.name = 'Alice'").Match(post, alice));
        Assert.Equal(RuleMatch.NeedsDatabase, Compile("title > 'a'").Match(post, alice));
        // A decided FALSE settles an AND, whatever the database would say about the rest.
        Assert.Equal(RuleMatch.No, Compile("views > 10 && author.name = 'Alice'").Match(post, alice));
        Assert.Equal(RuleMatch.Yes, Compile("views < 10 || author.name = 'Alice'").Match(post, alice));
    }

    private static CompiledFilter Compile(string expression) => FilterCompiler.Compile(expression, BlogSchema.Posts, BlogSchema.Schema).Value!;

    private static string Post(string suffix) => "0190a5b8-0000-7000-8000-0000000000" + suffix;

    private async Task<HashSet<string>> SelectAsync(CompiledFilter filter, RuleContext context)
    {
        var sql = new SqlBuilder(_dialect).Append("SELECT t.\"id\" FROM \"posts\" t WHERE ");
        filter.AppendTo(sql, "t", context);
        await using var command = sql.CreateCommand(_connection);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            ids.Add((string)_dialect.Read(reader, 0, SqlType.Id)!);
        }

        return ids;
    }

    private async Task InsertPostAsync(string suffix, Dictionary<string, object?> values)
    {
        await InsertAsync(BlogSchema.Posts, Post(suffix), values);
        _posts.Add(values);
    }

    private async Task InsertAsync(Collection collection, string id, Dictionary<string, object?> values)
    {
        values[Collection.IdField] = id;
        values[Collection.CreatedAtField] = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        values[Collection.UpdatedAtField] = values[Collection.CreatedAtField];
        var sql = new SqlBuilder(_dialect).Append("INSERT INTO ").Identifier(collection.Table).Append(" (");
        sql.Append(string.Join(", ", values.Keys.Select(_dialect.Quote))).Append(") VALUES (");
        string separator = string.Empty;
        foreach (var (name, value) in values)
        {
            sql.Append(separator).Parameter(collection.FindField(name)!.SqlType, value);
            separator = ", ";
        }

        await ExecuteAsync(sql.Append(')'));
    }

    private async Task CreateTableAsync(Collection collection)
    {
        var sql = new SqlBuilder(_dialect).Append("CREATE TABLE ").Identifier(collection.Table).Append(" (");
        sql.Append(string.Join(", ", collection.Fields.Select(f => _dialect.Quote(f.Name) + " " + _dialect.ColumnType(f.SqlType))));
        await ExecuteAsync(sql.Append(')'));
    }

    private async Task ExecuteAsync(SqlBuilder sql)
    {
        await using var command = sql.CreateCommand(_connection);
        await command.ExecuteNonQueryAsync();
    }
}

public sealed class InMemoryRuleTests_Sqlite() : InMemoryRuleTests(DbKind.Sqlite);

public sealed class InMemoryRuleTests_Postgres() : InMemoryRuleTests(DbKind.Postgres);
