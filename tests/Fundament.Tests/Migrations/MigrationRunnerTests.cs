using System.Net;
using Fundament.Collections;
using Fundament.Migrations;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Migrations;

public abstract class MigrationRunnerTests(DbKind kind) : IAsyncLifetime
{
    private TestApp _app = null!;

    public async ValueTask InitializeAsync() => _app = await TestApp.StartAsync(kind);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private MigrationRunner Runner => _app.Get<MigrationRunner>();

    private SchemaSnapshot Schema => _app.Get<SchemaRegistry>().Current;

    [Fact]
    public async Task Down_reverts_api_changes_and_up_reapplies_them_from_the_files()
    {
        await _app.CreateCollectionAsync("""{"name":"posts","fields":[{"name":"title","type":"text"}],"listRule":""}""");
        await _app.Admin.PatchAsync("/api/collections/posts", TestApp.JsonContent("""{"fields":[{"name":"title","type":"text"},{"name":"body","type":"text"}]}"""))
            .ShouldBe(HttpStatusCode.OK);
        Assert.NotNull(Schema.Find("posts")!.FindField("body"));

        var reverted = await Runner.DownAsync(1, CancellationToken.None);
        Assert.True(reverted.IsSuccess);
        Assert.Null(Schema.Find("posts")!.FindField("body"));
        Assert.Single(reverted.Value);

        var status = await Runner.StatusAsync(CancellationToken.None);
        Assert.Contains(status, s => s.Name.EndsWith("_update_posts", StringComparison.Ordinal) && s.State == "pending");
        Assert.Contains(status, s => s.Source == MigrationRunner.SourceSystem && s.State == "applied");

        await Runner.DownAsync(5, CancellationToken.None);
        Assert.Null(Schema.Find("posts"));
        var up = await Runner.UpAsync(CancellationToken.None);
        Assert.Equal(2, up.Value);
        Assert.NotNull(Schema.Find("posts")!.FindField("body"));
        await _app.Anonymous.GetAsync("/api/posts").ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Migration_files_replay_on_a_fresh_database()
    {
        await _app.CreateCollectionAsync("""{"name":"authors","fields":[{"name":"name","type":"text","unique":true}],"listRule":""}""");
        await _app.CreateCollectionAsync("""{"name":"books","fields":[{"name":"author","type":"relation","target":"authors","onDelete":"cascade"}],"listRule":""}""");
        await using var fresh = await TestApp.StartAsync(kind);
        foreach (var file in Directory.GetFiles(Path.Combine(_app.DataDirectory, "migrations")))
        {
            Directory.CreateDirectory(Path.Combine(fresh.DataDirectory, "migrations"));
            File.Copy(file, Path.Combine(fresh.DataDirectory, "migrations", Path.GetFileName(file)));
        }

        var applied = await fresh.Get<MigrationRunner>().UpAsync(CancellationToken.None);
        Assert.Equal(2, applied.Value);
        var schema = fresh.Get<SchemaRegistry>().Current;
        Assert.Equal(SchemaStore.Serialize(Schema.Find("books")!.Definition), SchemaStore.Serialize(schema.Find("books")!.Definition));
        Assert.Equal(0, (await fresh.Get<MigrationRunner>().UpAsync(CancellationToken.None)).Value);
    }

    [Fact]
    public async Task A_changed_applied_file_stops_migrations()
    {
        await _app.CreateCollectionAsync("""{"name":"posts","fields":[]}""");
        string file = Directory.GetFiles(Path.Combine(_app.DataDirectory, "migrations")).Single();
        await File.AppendAllTextAsync(file, " ");
        var outcome = await Runner.UpAsync(CancellationToken.None);
        Assert.False(outcome.IsSuccess);
        Assert.Contains("checksum", outcome.Error.Message);
        Assert.Contains((await Runner.StatusAsync(CancellationToken.None)), s => s.State == "changed since applied");
    }

    [Fact]
    public async Task Hand_written_sql_and_json_migrations_apply_and_revert()
    {
        string folder = Runner.Folder;
        string sqlPath = Runner.CreateFile("add audit table", sql: true);
        Assert.EndsWith("_add_audit_table.sql", sqlPath);
        await File.WriteAllTextAsync(sqlPath, """
            -- migrate:up
            CREATE TABLE audit_log (id INTEGER PRIMARY KEY, note TEXT NOT NULL);
            INSERT INTO audit_log (id, note) VALUES (1, 'hello');
            -- migrate:down
            DROP TABLE audit_log;
            """);
        string jsonPath = Path.Combine(folder, "9999999999_make_tags.json");
        await File.WriteAllTextAsync(jsonPath, """
            {"up":[{"op":"createCollection","collection":{"name":"tags","fields":[{"name":"label","type":"text"}]}},
                   {"op":"sql","sqlite":"CREATE INDEX ix_audit_note ON audit_log (note)","postgres":"CREATE INDEX ix_audit_note ON audit_log (note)"}],
             "down":[{"op":"sql","sql":"DROP INDEX ix_audit_note"},{"op":"deleteCollection","name":"tags"}]}
            """);
        var up = await Runner.UpAsync(CancellationToken.None);
        Assert.True(up.IsSuccess, up.Error?.Message);
        Assert.Equal(2, up.Value);
        Assert.NotNull(Schema.Find("tags"));

        var down = await Runner.DownAsync(2, CancellationToken.None);
        Assert.True(down.IsSuccess, down.Error?.Message);
        Assert.Null(Schema.Find("tags"));
        Assert.Equal(2, (await Runner.UpAsync(CancellationToken.None)).Value);
    }

    [Fact]
    public async Task A_failing_migration_changes_nothing_and_names_itself()
    {
        string path = Path.Combine(Runner.Folder, "9999999999_broken.json");
        Directory.CreateDirectory(Runner.Folder);
        await File.WriteAllTextAsync(path, """
            {"up":[{"op":"createCollection","collection":{"name":"half","fields":[]}},{"op":"sql","sql":"THIS IS NOT SQL"}],"down":[]}
            """);
        var outcome = await Runner.UpAsync(CancellationToken.None);
        Assert.False(outcome.IsSuccess);
        Assert.Contains("9999999999_broken", outcome.Error.Message);
        Assert.Null(Schema.Find("half"));
        await File.WriteAllTextAsync(path, "{not json");
        Assert.False((await Runner.UpAsync(CancellationToken.None)).IsSuccess);
        await File.WriteAllTextAsync(path, """{"up":[{"op":"explode"}]}""");
        Assert.False((await Runner.UpAsync(CancellationToken.None)).IsSuccess);
    }
}

public sealed class MigrationRunnerTests_Sqlite() : MigrationRunnerTests(DbKind.Sqlite);

public sealed class MigrationRunnerTests_Postgres() : MigrationRunnerTests(DbKind.Postgres);
