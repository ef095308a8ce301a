using Fundament.Data;
using Fundament.Realtime;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Realtime;

/// <summary>
/// On SQLite a prune with many changes to drop hands the current table over as the older one and drops the older one
/// whole, instead of deleting row by row; readers see one log across both tables, and ids go on growing.
/// </summary>
public sealed class ChangeLogRotationTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private TestApp _app = null!;

    public async ValueTask InitializeAsync()
    {
        _app = await TestApp.StartAsync(DbKind.Sqlite);
        Store.RotationRows = 50;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private ChangeStore Store => _app.Get<ChangeStore>();

    [Fact]
    public async Task Many_changes_to_drop_move_to_the_older_table_and_go_whole_with_the_next_prune()
    {
        var first = await AddChangesAsync(200);

        // 180 to drop: the current table becomes the older one; nothing is deleted yet, every change still reads.
        Assert.Equal(0, await Store.PruneAsync(DateTime.UtcNow.AddHours(-1), maxRows: 20, ChangeStore.PruneBatch, None));
        Assert.Equal((200, 0), await CountsAsync());
        Assert.Equal(first, await ListedIdsAsync(0));
        Assert.True(await Store.ReachesBackToAsync(first[0], None));
        Assert.Equal(first[^1], await Store.MaxIdAsync(None));

        // New changes go on from the last id, into the new current table.
        var second = await AddChangesAsync(100);
        Assert.Equal(first[^1] + 1, second[0]);
        Assert.Equal((200, 100), await CountsAsync());
        Assert.Equal(second[^1], await Store.MaxIdAsync(None));

        // The older table is all out of the window now: dropped whole; the current one is handed over again.
        Assert.Equal(200, await Store.PruneAsync(DateTime.UtcNow.AddHours(-1), maxRows: 20, ChangeStore.PruneBatch, None));
        Assert.Equal((100, 0), await CountsAsync());
        Assert.False(await Store.ReachesBackToAsync(first[^1], None));
        Assert.True(await Store.ReachesBackToAsync(second[0], None));

        // With no new changes the older table still holds the newest ones, so its oldest go row by row.
        Assert.Equal(80, await Store.PruneAsync(DateTime.UtcNow.AddHours(-1), maxRows: 20, batch: 30, None));
        Assert.Equal(second[^20..], await ListedIdsAsync(0));
        var third = await AddChangesAsync(1);
        Assert.Equal(second[^1] + 1, third[0]);
    }

    [Fact]
    public async Task A_listing_runs_across_both_tables_in_id_order_and_keeps_to_its_limit()
    {
        var first = await AddChangesAsync(120);
        await Store.PruneAsync(DateTime.UtcNow.AddHours(-1), maxRows: 10, ChangeStore.PruneBatch, None);
        var second = await AddChangesAsync(30);

        var listed = await Store.ListAfterAsync(first[99], upToId: null, limit: 25, None);
        Assert.Equal([.. first[100..], .. second[..5]], listed.Select(c => c.Id));

        var bounded = await Store.ListAfterAsync(first[^3], upToId: second[1], limit: 100, None);
        Assert.Equal([.. first[^2..], .. second[..2]], bounded.Select(c => c.Id));

        var late = await Store.ListLateAsync([second[3], first[5], 999_999], None);
        Assert.Equal([first[5], second[3]], late.Select(c => c.Id));
    }

    [Fact]
    public async Task Fewer_changes_to_drop_than_the_rotation_size_are_deleted_where_they_are()
    {
        var ids = await AddChangesAsync(60);

        Assert.Equal(40, await Store.PruneAsync(DateTime.UtcNow.AddHours(-1), maxRows: 20, ChangeStore.PruneBatch, None));

        Assert.Equal((0, 20), await CountsAsync());
        Assert.Equal(ids[^20..], await ListedIdsAsync(0));
    }

    private async Task<List<long>> AddChangesAsync(int count)
    {
        await using (var tx = await _app.Get<Database>().BeginWriteAsync(None))
        {
            for (int i = 0; i < count; i++)
            {
                tx.Append(ChangeStore.Log, new PendingChange("notes", $"r{i}", ChangeActions.Create, $$"""{"id":"r{{i}}"}""", null, "test", DateTime.UtcNow));
            }

            await tx.CommitAsync(None);
        }

        long newest = await Store.MaxIdAsync(None);
        return [.. Enumerable.Range(0, count).Select(i => newest - count + 1 + i)];
    }

    private async Task<List<long>> ListedIdsAsync(long afterId) =>
        [.. (await Store.ListAfterAsync(afterId, upToId: null, limit: 10_000, None)).Select(c => c.Id)];

    private async Task<(long Older, long Current)> CountsAsync()
    {
        await using var connection = await _app.Get<Database>().OpenReadAsync(None);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT COUNT(*) FROM \"_changes_old\"), (SELECT COUNT(*) FROM \"_changes\")";
        await using var reader = await command.ExecuteReaderAsync(None);
        await reader.ReadAsync(None);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
