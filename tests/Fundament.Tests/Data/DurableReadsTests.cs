using System.Net;
using System.Net.Http.Json;
using Fundament.Data;
using Fundament.Data.Sqlite;
using Fundament.Realtime;
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
        using (var held = await HoldCreateAsync(database, "not on disk yet"))
        {
            var list = _app.Anonymous.GetAsync("/api/notes");
            await Task.Delay(200);
            Assert.False(held.Create.IsCompleted, "the write was acknowledged before its sync");
            Assert.False(list.IsCompleted, "a read carried the write out before its sync");

            held.Release();
            using var created = await held.Create;
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var listed = await list.ShouldBe(HttpStatusCode.OK);
            Assert.Equal("not on disk yet", listed.GetProperty("data")[0].GetProperty("title").GetString());
        }

        // With no sync running, reads answer at once.
        Assert.True(database.WhenReadsDurable().IsCompleted);
        await _app.Anonymous.GetAsync("/api/notes").ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Realtime_changes_read_before_their_sync_are_handed_on_only_after_it()
    {
        var database = (SqliteDatabase)_app.Get<Database>();
        using var held = await HoldCreateAsync(database, "streamed too early?");

        // Streams get changes from this read (live and on resume), outside any response's start.
        var changes = _app.Get<ChangeStore>().ListAfterAsync(0, null, 100, CancellationToken.None);
        await Task.Delay(200);
        Assert.False(changes.IsCompleted, "the change log handed a change on before its sync");

        held.Release();
        Assert.Contains(await changes, change => change.Collection == "notes" && change.Action == "create");
        using var created = await held.Create;
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    /// <summary>Holds the writer's WAL syncs and creates a note, returning once the note is committed with its sync held.</summary>
    private async Task<HeldCreate> HoldCreateAsync(SqliteDatabase database, string title)
    {
        var held = new HeldCreate(database);
        held.Create = _app.Anonymous.PostAsJsonAsync("/api/notes", new { title });
        await Eventually.TrueAsync(async () => await CountNotesAsync(database) == 1, "the note was never committed");

        // The sync starts on its own thread a moment after the COMMIT that made the note visible.
        await Eventually.TrueAsync(() => held.Syncs > 0, "the note's WAL sync never started");
        return held;
    }

    private sealed class HeldCreate : IDisposable
    {
        private readonly ManualResetEventSlim _release = new(false);
        private readonly SqliteDatabase _database;
        private int _syncs;

        public HeldCreate(SqliteDatabase database)
        {
            _database = database;
            database.Writer.SyncHook = () =>
            {
                Interlocked.Increment(ref _syncs);
                _release.Wait(Eventually.DefaultTimeout);
            };
        }

        public Task<HttpResponseMessage> Create { get; set; } = null!;

        public int Syncs => Volatile.Read(ref _syncs);

        public void Release() => _release.Set();

        public void Dispose()
        {
            _release.Set();
            _database.Writer.SyncHook = null;
        }
    }

    private static async Task<long> CountNotesAsync(Database database)
    {
        await using var connection = await database.OpenReadAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM notes";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
