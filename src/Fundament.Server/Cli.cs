using System.CommandLine;
using System.Text.Json;
using Fundament.Collections;
using Fundament.Identity;
using Fundament.Migrations;
using Fundament.Records;

namespace Fundament.Server;

/// <summary>The <c>fundament</c> command line: every verb an operator needs, each with its own --help.</summary>
internal static partial class Cli
{
    private static readonly Option<string?> Dir = new("--dir") { Description = "Data directory (default ./fundament_data; env FUNDAMENT_DIR)" };
    private static readonly Option<string?> Db = new("--db") { Description = "PostgreSQL URL, e.g. postgres://user:pass@host:5432/db (default: SQLite in the data directory; env FUNDAMENT_DB)" };

    public static RootCommand Build()
    {
        var root = new RootCommand("Fundament: a self-hosted backend in one process — collections become a validated REST API.");
        root.Subcommands.Add(Serve());
        root.Subcommands.Add(Migrate());
        root.Subcommands.Add(Seed());
        root.Subcommands.Add(CollectionsCommand());
        root.Subcommands.Add(SuperuserCommand());
        root.Subcommands.Add(SigningKeysCommand());
        root.Subcommands.Add(JobsCommand());
        root.Subcommands.Add(StatusCommand());
        return root;
    }

    private static Command Serve()
    {
        var http = new Option<string?>("--http") { Description = "Address to listen on (default 127.0.0.1:8090; env FUNDAMENT_HTTP)" };
        var command = new Command("serve", "Run the server; applies pending migrations first.") { http, Dir, Db };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var app = HostFactory.Build(new HostFactory.Overrides(parse.GetValue(http), parse.GetValue(Dir), parse.GetValue(Db)));
            await app.RunAsync(cancellationToken);
            return 0;
        });
        return command;
    }

    private static Command Migrate()
    {
        var migrate = new Command("migrate", "Apply, revert, list or create schema migrations (files in <data dir>/migrations).");

        var up = new Command("up", "Apply every pending migration.") { Dir, Db };
        up.SetAction((parse, ct) => WithApp(parse, async app =>
        {
            var outcome = await app.Services.GetRequiredService<MigrationRunner>().UpAsync(ct);
            return Report(outcome.IsSuccess ? $"Applied {outcome.Value} migration(s)." : null, outcome.Error);
        }));

        var steps = new Argument<int>("N") { Description = "How many migrations to revert", DefaultValueFactory = _ => 1 };
        var down = new Command("down", "Revert the last N applied migrations (default 1).") { steps, Dir, Db };
        down.SetAction((parse, ct) => WithApp(parse, async app =>
        {
            int n = parse.GetValue(steps);
            if (n < 1)
            {
                return Report(null, Http.ApiError.BadRequest("N must be at least 1"));
            }

            var outcome = await app.Services.GetRequiredService<MigrationRunner>().DownAsync(n, ct);
            return Report(outcome.IsSuccess ? $"Reverted {outcome.Value.Count} migration(s): {string.Join(", ", outcome.Value)}" : null, outcome.Error);
        }));

        var status = new Command("status", "List migrations and whether each is applied.") { Dir, Db };
        status.SetAction((parse, ct) => WithApp(parse, async app =>
        {
            foreach (var row in await app.Services.GetRequiredService<MigrationRunner>().StatusAsync(ct))
            {
                Console.WriteLine($"{row.State,-24} {row.Source,-7} {row.Name}{(row.AppliedAt is { } at ? "  " + at.ToString("u") : string.Empty)}");
            }

            return 0;
        }));

        var name = new Argument<string>("NAME") { Description = "What the migration does, e.g. add_posts_index" };
        var sql = new Option<bool>("--sql") { Description = "Create a .sql file (-- migrate:up / -- migrate:down) instead of JSON steps" };
        var create = new Command("create", "Create an empty migration file to fill in.") { name, sql, Dir, Db };
        create.SetAction((parse, ct) => WithApp(parse, app =>
        {
            string path = app.Services.GetRequiredService<MigrationRunner>().CreateFile(parse.GetValue(name)!, parse.GetValue(sql));
            Console.WriteLine($"Created {path}");
            return Task.FromResult(0);
        }));

        migrate.Subcommands.Add(up);
        migrate.Subcommands.Add(down);
        migrate.Subcommands.Add(status);
        migrate.Subcommands.Add(create);
        return migrate;
    }

    private static Command Seed()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "JSON: {\"collection\": [records…], …}" };
        var command = new Command("seed", "Load records from a JSON file in one transaction (after applying migrations).") { file, Dir, Db };
        command.SetAction((parse, ct) => WithApp(parse, async app =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                return Report(null, Http.ApiError.NotFound($"{path.FullName} does not exist"));
            }

            var up = await app.Services.GetRequiredService<MigrationRunner>().UpAsync(ct);
            if (!up.IsSuccess)
            {
                return Report(null, up.Error);
            }

            var parsed = Http.JsonBody.Parse(await File.ReadAllBytesAsync(path.FullName, ct));
            if (!parsed.IsSuccess)
            {
                return Report(null, parsed.Error);
            }

            using var document = parsed.Value;
            var outcome = await Seeder.SeedAsync(app.Services.GetRequiredService<Data.Database>(), app.Services.GetRequiredService<SchemaRegistry>().Current,
                app.Services.GetRequiredService<AccessRules>(), document.RootElement, ct);
            return Report(outcome.IsSuccess ? $"Seeded {outcome.Value} record(s)." : null, outcome.Error);
        }));
        return command;
    }

    private static Command CollectionsCommand()
    {
        var command = new Command("collections", "List, create, change or delete collections (each change is written as a migration).");
        var list = new Command("list", "List collections as JSON definitions.") { Dir, Db };
        list.SetAction((parse, ct) => WithMigratedApp(parse, ct, app =>
        {
            var definitions = app.Services.GetRequiredService<SchemaRegistry>().Current.Collections.Select(c => c.Definition).ToList();
            Console.WriteLine(JsonSerializer.Serialize<IReadOnlyList<CollectionDefinition>>(definitions, Http.AppJsonContext.Indented.IReadOnlyListCollectionDefinition));
            return Task.FromResult(0);
        }));
        var file = new Argument<FileInfo>("FILE") { Description = "A collection definition as JSON (the shape of /api/collections)" };
        var apply = new Command("apply", "Create the collection in FILE, or change it to match FILE; recorded as a migration.") { file, Dir, Db };
        apply.SetAction((parse, ct) => WithMigratedApp(parse, ct, async app =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                return Report(null, Http.ApiError.NotFound($"{path.FullName} does not exist"));
            }

            var parsed = Http.JsonBody.Parse(await File.ReadAllBytesAsync(path.FullName, ct));
            if (!parsed.IsSuccess)
            {
                return Report(null, parsed.Error);
            }

            using var document = parsed.Value;
            var definition = SchemaChanges.Parse(document.RootElement);
            if (!definition.IsSuccess)
            {
                return Report(null, definition.Error);
            }

            var changes = app.Services.GetRequiredService<SchemaChanges>();
            bool exists = app.Services.GetRequiredService<SchemaRegistry>().Current.Find(definition.Value.Name) is not null;
            var outcome = exists ? await changes.UpdateAsync(definition.Value, ct) : await changes.CreateAsync(definition.Value, ct);
            return Report(outcome.IsSuccess ? $"{(exists ? "Updated" : "Created")} collection '{definition.Value.Name}'." : null, outcome.Error);
        }));

        var name = new Argument<string>("NAME") { Description = "The collection to delete, with all its records" };
        var delete = new Command("delete", "Delete a collection and its table; recorded as a migration.") { name, Dir, Db };
        delete.SetAction((parse, ct) => WithMigratedApp(parse, ct, async app =>
        {
            var error = await app.Services.GetRequiredService<SchemaChanges>().DeleteAsync(parse.GetValue(name)!, ct);
            return Report(error is null ? $"Deleted collection '{parse.GetValue(name)}'." : null, error);
        }));

        command.Subcommands.Add(list);
        command.Subcommands.Add(apply);
        command.Subcommands.Add(delete);
        return command;
    }

    private static Command SuperuserCommand()
    {
        var command = new Command("superuser", "Create, change or delete superusers (they pass every rule and manage the schema).");
        var email = new Argument<string>("EMAIL") { Description = "The superuser's email" };
        var password = new Option<string?>("--password") { Description = "The password (at least 10 characters); read from standard input when omitted" };

        var create = new Command("create", "Create a superuser.") { email, password, Dir, Db };
        create.SetAction((parse, ct) => WithMigratedApp(parse, ct, async app =>
        {
            var created = await app.Services.GetRequiredService<SuperuserStore>().CreateAsync(parse.GetValue(email)!, ReadPassword(parse.GetValue(password)), ct);
            return Report(created.IsSuccess ? $"Created superuser {created.Value.Email}." : null, created.Error);
        }));

        var update = new Command("update", "Set a superuser's password (signs it out everywhere).") { email, password, Dir, Db };
        update.SetAction((parse, ct) => WithMigratedApp(parse, ct, async app =>
        {
            var error = await app.Services.GetRequiredService<SuperuserStore>().SetPasswordAsync(parse.GetValue(email)!, ReadPassword(parse.GetValue(password)), ct);
            return Report(error is null ? $"Updated superuser {parse.GetValue(email)}." : null, error);
        }));

        var delete = new Command("delete", "Delete a superuser.") { email, Dir, Db };
        delete.SetAction((parse, ct) => WithMigratedApp(parse, ct, async app =>
        {
            var error = await app.Services.GetRequiredService<SuperuserStore>().DeleteAsync(parse.GetValue(email)!, ct);
            return Report(error is null ? $"Deleted superuser {parse.GetValue(email)}." : null, error);
        }));

        command.Subcommands.Add(create);
        command.Subcommands.Add(update);
        command.Subcommands.Add(delete);
        return command;
    }

    private static Command SigningKeysCommand()
    {
        var command = new Command("signing-keys", "Manage the keys that sign access tokens (<data dir>/keys).");
        var rotate = new Command("rotate", "Start signing with a new key; tokens signed with the old one stay valid until they expire. A running server picks it up on restart.") { Dir };
        rotate.SetAction(parse => WithApp(parse, app =>
        {
            var keys = app.Services.GetRequiredService<Identity.Tokens.SigningKeyStore>();
            string previous = keys.Current.Kid;
            var next = keys.Rotate();
            Console.WriteLine($"Signing with key {next.Kid}; key {previous} stays valid for verification for {Identity.Tokens.SigningKeyStore.RetiredKeyGrace.TotalHours:0} hours.");
            return Task.FromResult(0);
        }));
        command.Subcommands.Add(rotate);
        return command;
    }

    private static string ReadPassword(string? given) => given ?? Console.In.ReadLine()?.TrimEnd('\r', '\n') ?? string.Empty;

    private static async Task<int> WithApp(ParseResult parse, Func<WebApplication, Task<int>> action)
    {
        await using var app = HostFactory.Build(new HostFactory.Overrides(Dir: parse.GetValue(Dir), Db: parse.GetValue(Db)));
        return await action(app);
    }

    private static Task<int> WithMigratedApp(ParseResult parse, CancellationToken cancellationToken, Func<WebApplication, Task<int>> action) =>
        WithApp(parse, async app =>
        {
            var up = await app.Services.GetRequiredService<MigrationRunner>().UpAsync(cancellationToken);
            return up.IsSuccess ? await action(app) : Report(null, up.Error);
        });

    private static int Report(string? success, Http.ApiError? error)
    {
        if (error is not null)
        {
            Console.Error.WriteLine($"error: {error.Message}");
            foreach (var detail in error.Details ?? [])
            {
                Console.Error.WriteLine($"  {detail.Field}: {detail.Message}");
            }

            return 1;
        }

        Console.WriteLine(success);
        return 0;
    }
}
