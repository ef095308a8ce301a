using Fundament.Data;
using Fundament.Realtime;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Realtime;

/// <summary>
/// The change log keeps its window by cutting a prefix, in batches small enough that a prune never holds
/// the writer for long; on SQLite and PostgreSQL.
/// </summary>
public abstract class ChangeLogPruneTests(DbKind kind) : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private TestApp _app = null!;

    public async ValueTask InitializeAsync() => _app = await TestApp.StartAsync(kind);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private ChangeStore Store => _app.Get<ChangeStore>();

    [Fact]
    public async Task A_prune_in_batches_keeps_exactly_the_newest_rows()
    {
        await AddChangesAsync(2_345, DateTime.UtcNow);
        var before = await IdsAsync();

        int deleted = await Store.PruneAsync(DateTime.UtcNow.AddHours(-1), maxRows: 100, batch: 300, None);

        var after = await IdsAsync();
        Assert.Equal(before.Count - 100, deleted);
        Assert.Equal(before[^100..], after);
    }

    [Fact]
    public async Task Changes_older_than_the_window_go_even_below_the_row_limit()
    {
        await AddChangesAsync(7, DateTime.UtcNow.AddMinutes(-30));
        var old = await IdsAsync();
        await AddChangesAsync(5, DateTime.UtcNow);

        int deleted = await Store.PruneAsync(DateTime.UtcNow.AddMinutes(-10), maxRows: 1_000, batch: 2, None);

        Assert.Equal(old.Count, deleted);
        var kept = await IdsAsync();
        Assert.Equal(5, kept.Count);
        Assert.All(kept, id => Assert.True(id > old[^1]));
    }

    [Fact]
    public async Task The_newest_change_always_stays_and_an_empty_log_prunes_nothing()
    {
        await using (var tx = await _app.Get<Database>().BeginWriteAsync(None))
        {
            await tx.ExecuteRawAsync("DELETE FROM \"_changes\"", None);
            await tx.CommitAsync(None);
        }

        Assert.Equal(0, await Store.PruneAsync(DateTime.UtcNow.AddDays(1), maxRows: 0, ChangeStore.PruneBatch, None));

        await AddChangesAsync(3, DateTime.UtcNow.AddDays(-1));
        var ids = await IdsAsync();
        Assert.Equal(2, await Store.PruneAsync(DateTime.UtcNow.AddDays(1), maxRows: 0, batch: 1, None));
        Assert.Equal([ids[^1]], await IdsAsync());
        Assert.Equal(0, await Store.PruneAsync(DateTime.UtcNow.AddDays(1), maxRows: 0, ChangeStore.PruneBatch, None));
    }

    [Fact]
    public async Task The_time_cut_stops_at_the_first_change_inside_the_window_so_a_late_older_one_stays_with_it()
    {
        await AddChangesAsync(3, DateTime.UtcNow.AddMinutes(-30));
        var old = await IdsAsync();
        await AddChangesAsync(1, DateTime.UtcNow);
        // A write that took its time stamp before the window's start but committed after the change above.
        await AddChangesAsync(2, DateTime.UtcNow.AddMinutes(-20));

        int deleted = await Store.PruneAsync(DateTime.UtcNow.AddMinutes(-10), maxRows: 1_000, ChangeStore.PruneBatch, None);

        Assert.Equal(3, deleted);
        var kept = await IdsAsync();
        Assert.Equal(3, kept.Count);
        Assert.All(kept, id => Assert.True(id > old[^1]));
    }

    [Fact]
    public async Task The_log_has_no_time_index_and_a_database_created_with_one_loses_it()
    {
        Assert.False(await HasCreatedIndexAsync());
        await using (var tx = await _app.Get<Database>().BeginWriteAsync(None))
        {
            await tx.ExecuteRawAsync("CREATE INDEX \"ix__changes_created\" ON \"_changes\" (created_at)", None);
            await tx.CommitAsync(None);
        }

        Assert.True(await HasCreatedIndexAsync());
        await using (var tx = await _app.Get<Database>().BeginWriteAsync(None))
        {
            await RealtimeTables.DropCreatedIndex.Up(tx, None);
            await tx.CommitAsync(None);
        }

        Assert.False(await HasCreatedIndexAsync());
    }

    [Fact]
    public async Task A_batch_size_below_one_is_refused() =>
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.PruneAsync(DateTime.UtcNow, 10, batch: 0, None));

    private async Task AddChangesAsync(int count, DateTime createdAt)
    {
        var changes = Enumerable.Range(0, count)
            .Select(i => new PendingChange("notes", $"r{i}", ChangeActions.Create, $$"""{"id":"r{{i}}"}""", null, "test", createdAt))
            .ToList();
        await using var tx = await _app.Get<Database>().BeginWriteAsync(None);
        foreach (var change in changes)
        {
            tx.Append(ChangeStore.Log, change);
        }

        await tx.CommitAsync(None);
    }

    private async Task<bool> HasCreatedIndexAsync()
    {
        await using var connection = await _app.Get<Database>().OpenReadAsync(None);
        await using var command = connection.CreateCommand();
        command.CommandText = kind == DbKind.Postgres
            ? "SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'ix__changes_created'"
            : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'ix__changes_created'";
        return Convert.ToInt64(await command.ExecuteScalarAsync(None), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    private async Task<List<long>> IdsAsync()
    {
        await using var connection = await _app.Get<Database>().OpenReadAsync(None);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM \"_changes_old\" UNION ALL SELECT id FROM \"_changes\" ORDER BY id";
        await using var reader = await command.ExecuteReaderAsync(None);
        var ids = new List<long>();
        while (await reader.ReadAsync(None))
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }
}

public sealed class ChangeLogPruneTests_Sqlite() : ChangeLogPruneTests(DbKind.Sqlite);

public sealed class ChangeLogPruneTests_Postgres() : ChangeLogPruneTests(DbKind.Postgres);
