using System.Net;
using System.Net.Http.Json;
using Fundament.Data;
using Fundament.Data.Sqlite;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Data;

/// <summary>
/// With full sync, SQLite shows a group to readers from its COMMIT, a moment before its WAL sync: a response that
/// could carry such a write waits for that sync, so nobody learns of a write a power cut could still undo.
/// </summary>
public sealed class DurableReadsTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async ValueTask InitializeAsync()
    {
        _app = await TestApp.StartAsync(DbKind.Sqlite, new Dictionary<string, string?> { ["Fundament:SqliteFullSync"] = "true" });
        await _app.CreateCollectionAsync("""{"name":"notes","fields":[{"name":"title","type":"text"}],"listRule":"","createRule":""}""");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_list_that_sees_a_write_not_yet_on_disk_answers_only_after_its_sync()
    {
        var database = (SqliteDatabase)_app.Get<Database>();
        Assert.True(database.ShowsWritesBeforeDurable);
        using var release = new ManualResetEventSlim(false);
        int held = 0;
        database.Writer.SyncHook = () =>
        {
            Interlocked.Increment(ref held);
            release.Wait(Eventually.DefaultTimeout);
        };

        try
        {
            var create = _app.Anonymous.PostAsJsonAsync("/api/notes", new { title = "not on disk yet" });
            await Eventually.TrueAsync(async () => await CountNotesAsync(database) == 1, "the note was never committed");
            Assert.True(Volatile.Read(ref held) > 0);

            var list = _app.Anonymous.GetAsync("/api/notes");
            await Task.Delay(200);
            Assert.False(create.IsCompleted, "the write was acknowledged before its sync");
            Assert.False(list.IsCompleted, "a read carried the write out before its sync");

            release.Set();
            using var created = await create;
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var listed = await list.ShouldBe(HttpStatusCode.OK);
            Assert.Equal("not on disk yet", listed.GetProperty("data")[0].GetProperty("title").GetString());
        }
        finally
        {
            release.Set();
            database.Writer.SyncHook = null;
        }

        // With no sync running, reads answer at once.
        Assert.True(database.WhenReadsDurable().IsCompleted);
        await _app.Anonymous.GetAsync("/api/notes").ShouldBe(HttpStatusCode.OK);
    }

    private static async Task<long> CountNotesAsync(Database database)
    {
        await using var connection = await database.OpenReadAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM notes";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
