namespace Fundament.Tests.Server;

[CollectionDefinition(nameof(ConsoleCollection), DisableParallelization = true)]
public sealed class ConsoleCollection;

/// <summary>The <c>fundament</c> commands, run in process against a temporary data directory.</summary>
[Collection(nameof(ConsoleCollection))]
public sealed class CliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fundament-cli", Guid.NewGuid().ToString("N"));

    private Task<(int Exit, string Output)> RunAsync(params string[] args) => CliRunner.RunAsync(_dir, args);

    [Fact]
    public async Task Help_describes_every_command()
    {
        var (exit, output) = await RunAsync("--help");
        Assert.Equal(0, exit);
        foreach (var command in new[] { "serve", "migrate", "seed", "collections", "superuser" })
        {
            Assert.Contains(command, output);
        }

        var (_, migrate) = await RunAsync("migrate", "--help");
        Assert.Contains("status", migrate);
    }

    [Fact]
    public async Task Migrate_create_up_status_and_down_work_on_files()
    {
        var (created, createOutput) = await RunAsync("migrate", "create", "Add notes");
        Assert.Equal(0, created);
        string file = Directory.GetFiles(Path.Combine(_dir, "migrations")).Single();
        Assert.EndsWith("_add_notes.json", file);
        Assert.Contains(file, createOutput);
        await File.WriteAllTextAsync(file, """
            {"up":[{"op":"createCollection","collection":{"name":"notes","fields":[{"name":"body","type":"text","required":true}],"listRule":""}}],
             "down":[{"op":"deleteCollection","name":"notes"}]}
            """);

        var (up, upOutput) = await RunAsync("migrate", "up");
        Assert.Equal(0, up);
        Assert.Contains("Applied 1 migration(s)", upOutput);

        var (_, status) = await RunAsync("migrate", "status");
        Assert.Contains("_add_notes", status);
        Assert.Contains("applied", status);

        string seed = Path.Combine(_dir, "seed.json");
        await File.WriteAllTextAsync(seed, """{"notes":[{"body":"one"},{"body":"two"}]}""");
        var (seeded, seedOutput) = await RunAsync("seed", seed);
        Assert.Equal(0, seeded);
        Assert.Contains("Seeded 2 record(s)", seedOutput);

        await File.WriteAllTextAsync(seed, """{"notes":[{"body":"three"},{"body":""}]}""");
        var (failed, failedOutput) = await RunAsync("seed", seed);
        Assert.Equal(1, failed);
        Assert.Contains("notes[1]", failedOutput);

        var (listed, collections) = await RunAsync("collections", "list");
        Assert.Equal(0, listed);
        Assert.Contains("\"notes\"", collections);

        var (down, downOutput) = await RunAsync("migrate", "down", "1");
        Assert.Equal(0, down);
        Assert.Contains("_add_notes", downOutput);
        var (_, after) = await RunAsync("migrate", "status");
        Assert.Contains("pending", after);
    }

    [Fact]
    public async Task Collections_are_applied_and_deleted_from_the_command_line()
    {
        Directory.CreateDirectory(_dir);
        string file = Path.Combine(_dir, "tags.json");
        await File.WriteAllTextAsync(file, """{"name":"tags","fields":[{"name":"label","type":"text"}]}""");
        var (created, output) = await RunAsync("collections", "apply", file);
        Assert.Equal(0, created);
        Assert.Contains("Created collection 'tags'", output);

        await File.WriteAllTextAsync(file, """{"name":"tags","fields":[{"name":"label","type":"text"},{"name":"color","type":"text"}]}""");
        var (updated, updateOutput) = await RunAsync("collections", "apply", file);
        Assert.Equal(0, updated);
        Assert.Contains("Updated", updateOutput);
        var (_, listed) = await RunAsync("collections", "list");
        Assert.Contains("color", listed);

        await File.WriteAllTextAsync(file, """{"name":"tags","fields":[{"name":"label","type":"nope"}]}""");
        var (invalid, invalidOutput) = await RunAsync("collections", "apply", file);
        Assert.Equal(1, invalid);
        Assert.Contains("fields[0].type", invalidOutput);

        var (deleted, _) = await RunAsync("collections", "delete", "tags");
        Assert.Equal(0, deleted);
        var (again, _) = await RunAsync("collections", "delete", "tags");
        Assert.Equal(1, again);
        Assert.Equal(3, Directory.GetFiles(Path.Combine(_dir, "migrations")).Length);
    }

    [Fact]
    public async Task Bad_arguments_fail_with_a_message()
    {
        var (missing, output) = await RunAsync("seed", Path.Combine(_dir, "nope.json"));
        Assert.Equal(1, missing);
        Assert.Contains("does not exist", output);
        var (zero, _) = await RunAsync("migrate", "down", "0");
        Assert.Equal(1, zero);
    }

    [Fact]
    public async Task Superusers_are_created_updated_and_deleted()
    {
        var (created, output) = await RunAsync("superuser", "create", "Root@Example.com", "--password", "a long enough password");
        Assert.Equal(0, created);
        Assert.Contains("root@example.com", output);
        var (duplicate, _) = await RunAsync("superuser", "create", "root@example.com", "--password", "a long enough password");
        Assert.Equal(1, duplicate);
        var (weak, weakOutput) = await RunAsync("superuser", "create", "other@example.com", "--password", "short");
        Assert.Equal(1, weak);
        Assert.Contains("password", weakOutput);
        var (updated, _) = await RunAsync("superuser", "update", "root@example.com", "--password", "another long password");
        Assert.Equal(0, updated);
        var (deleted, _) = await RunAsync("superuser", "delete", "root@example.com");
        Assert.Equal(0, deleted);
        var (missing, _) = await RunAsync("superuser", "delete", "root@example.com");
        Assert.Equal(1, missing);
    }

    [Fact]
    public async Task Signing_keys_rotate_and_keep_the_old_key_for_verification()
    {
        var (first, _) = await RunAsync("signing-keys", "rotate");
        Assert.Equal(0, first);
        var (second, output) = await RunAsync("signing-keys", "rotate");
        Assert.Equal(0, second);
        Assert.Contains("stays valid", output);
        Assert.True(Directory.GetFiles(Path.Combine(_dir, "keys"), "*.json").Length >= 2);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}
