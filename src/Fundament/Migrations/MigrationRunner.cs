using System.Data.Common;
using System.Globalization;
using Fundament.Collections;
using Fundament.Data;
using Fundament.Data.Migrations;
using Fundament.Http;
using Microsoft.Extensions.Logging;

namespace Fundament.Migrations;

/// <summary>The state of one migration as <c>fundament migrate status</c> shows it.</summary>
public sealed record MigrationStatus(string Name, string Source, string State, DateTime? AppliedAt);

/// <summary>
/// Applies system migrations and the data directory's migration files, each in its own transaction,
/// records them in <c>_migrations</c>, reverts them, and refuses to run when an applied file has
/// changed. It also writes the migration files for schema changes made over the API, so that a
/// schema can be committed and replayed elsewhere.
/// </summary>
public sealed partial class MigrationRunner(
    Database database,
    SchemaRegistry registry,
    IEnumerable<SystemMigration> systemMigrations,
    FundamentOptions options,
    ILogger<MigrationRunner> logger)
{
    public const string SourceSystem = "system";
    public const string SourceFile = "file";

    private readonly SemaphoreSlim _lock = new(1, 1);

    public string Folder => options.MigrationsDirectory;

    /// <summary>Applies pending system and file migrations; returns how many files were applied.</summary>
    public async Task<Outcome<int>> UpAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            await EnsureSystemAsync(cancellationToken);
            var applied = await ListAppliedAsync(cancellationToken);
            var files = MigrationFile.ReadFolder(Folder);
            var changed = files.Where(f => applied.TryGetValue(f.Name, out var row) && row.Checksum != f.Checksum).Select(f => f.Name).ToList();
            if (changed.Count > 0)
            {
                return ApiError.Conflict("Applied migrations have changed since they ran (checksum mismatch): " + string.Join(", ", changed) +
                    ". Restore the original files and put further changes in a new migration.");
            }

            int count = 0;
            foreach (var file in files.Where(f => !applied.ContainsKey(f.Name)))
            {
                var outcome = await ApplyFileAsync(file, cancellationToken);
                if (!outcome.IsSuccess)
                {
                    return outcome.Error;
                }

                count++;
            }

            await ReloadSchemaAsync(cancellationToken);
            return count;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Reverts the last <paramref name="count"/> applied file migrations, newest first.</summary>
    public async Task<Outcome<IReadOnlyList<string>>> DownAsync(int count, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            await EnsureSystemAsync(cancellationToken);
            var applied = await ListAppliedAsync(cancellationToken);
            var reverted = new List<string>();
            foreach (var row in applied.Values.Where(r => r.Source == SourceFile).OrderByDescending(r => r.Name, StringComparer.Ordinal).Take(count))
            {
                var file = MigrationFile.FromContent(row.Name, row.Content, row.Content.Contains(MigrationFile.UpMarker, StringComparison.Ordinal));
                var steps = file.Steps(up: false);
                if (!steps.IsSuccess)
                {
                    return steps.Error;
                }

                await using var tx = await database.BeginWriteAsync(cancellationToken, schemaChange: true);
                var outcome = await ApplyStepsAsync(tx, file.Name, steps.Value, cancellationToken);
                if (!outcome.IsSuccess)
                {
                    return outcome.Error;
                }

                var delete = new SqlBuilder(tx.Dialect);
                delete.Append($"DELETE FROM \"{SystemTables.Migrations}\" WHERE name = ").Parameter(SqlType.Text, row.Name);
                await tx.ExecuteAsync(delete, cancellationToken);
                await tx.CommitAsync(cancellationToken);
                LogReverted(logger, row.Name);
                reverted.Add(row.Name);
            }

            await ReloadSchemaAsync(cancellationToken);
            return reverted;
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<List<MigrationStatus>> StatusAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            await EnsureMigrationsTableAsync(cancellationToken);
            var applied = await ListAppliedAsync(cancellationToken);
            var files = MigrationFile.ReadFolder(Folder).ToDictionary(f => f.Name, StringComparer.Ordinal);
            var result = new List<MigrationStatus>();
            foreach (var system in systemMigrations.OrderBy(m => m.Name, StringComparer.Ordinal))
            {
                result.Add(new MigrationStatus(system.Name, SourceSystem, applied.TryGetValue(system.Name, out var row) ? "applied" : "pending", row?.AppliedAt));
            }

            foreach (var name in files.Keys.Union(applied.Values.Where(r => r.Source == SourceFile).Select(r => r.Name)).Order(StringComparer.Ordinal))
            {
                applied.TryGetValue(name, out var row);
                files.TryGetValue(name, out var file);
                string state = (row, file) switch
                {
                    (null, _) => "pending",
                    (_, null) => "applied (file missing)",
                    _ when row.Checksum != file.Checksum => "changed since applied",
                    _ => "applied",
                };
                result.Add(new MigrationStatus(name, SourceFile, state, row?.AppliedAt));
            }

            return result;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Writes an empty migration file to fill in by hand and returns its path.</summary>
    public string CreateFile(string name, bool sql)
    {
        Directory.CreateDirectory(Folder);
        string fileName = NewName(name);
        string path = Path.Combine(Folder, fileName + (sql ? ".sql" : ".json"));
        string template = sql
            ? $"{MigrationFile.UpMarker}\n\n{MigrationFile.DownMarker}\n"
            : "{\n  \"up\": [],\n  \"down\": []\n}\n";
        File.WriteAllText(path, template);
        return path;
    }

    /// <summary>
    /// Records a schema change as a new migration file and applies it. When applying fails the file
    /// is removed again, so the folder only ever holds changes that worked.
    /// </summary>
    public async Task<Outcome<SchemaSnapshot>> ApplyNewAsync(string description, MigrationDocument document, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        string? path = null;
        try
        {
            Directory.CreateDirectory(Folder);
            string content = System.Text.Json.JsonSerializer.Serialize(document, AppJsonContext.Indented.MigrationDocument) + "\n";
            var file = MigrationFile.FromContent(NewName(description), content, isSql: false);
            path = Path.Combine(Folder, file.Name + ".json");
            await File.WriteAllTextAsync(path, content, cancellationToken);
            var outcome = await ApplyFileAsync(file, cancellationToken);
            if (!outcome.IsSuccess)
            {
                File.Delete(path);
                return outcome.Error;
            }

            path = null;
            return await ReloadSchemaAsync(cancellationToken);
        }
        finally
        {
            if (path is not null && File.Exists(path))
            {
                File.Delete(path);
            }

            _lock.Release();
        }
    }

    /// <summary>Reads the collections from the database and publishes them as the current schema.</summary>
    public async Task<SchemaSnapshot> ReloadSchemaAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        return registry.Publish(await SchemaStore.LoadAsync(connection, null, cancellationToken));
    }

    private async Task<Outcome<SchemaSnapshot>> ApplyFileAsync(MigrationFile file, CancellationToken cancellationToken)
    {
        var steps = file.Steps(up: true);
        if (!steps.IsSuccess)
        {
            return steps.Error;
        }

        await using var tx = await database.BeginWriteAsync(cancellationToken, schemaChange: true);
        var outcome = await ApplyStepsAsync(tx, file.Name, steps.Value, cancellationToken);
        if (!outcome.IsSuccess)
        {
            return outcome;
        }

        await RecordAsync(tx, file.Name, SourceFile, file.Checksum, file.Content, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        LogApplied(logger, file.Name);
        return outcome;
    }

    private static async Task<Outcome<SchemaSnapshot>> ApplyStepsAsync(WriteTransaction tx, string name, IReadOnlyList<MigrationStep> steps, CancellationToken cancellationToken)
    {
        var schema = new SchemaSnapshot(await SchemaStore.LoadAsync(tx.Connection, tx.Transaction, cancellationToken), 0);
        for (int i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            Outcome<SchemaSnapshot> outcome;
            try
            {
                outcome = step switch
                {
                    { Op: MigrationStep.CreateCollection, Collection: { } definition } => await SchemaStore.CreateAsync(tx, schema, definition, cancellationToken),
                    { Op: MigrationStep.UpdateCollection, Collection: { } definition } => await SchemaStore.UpdateAsync(tx, schema, definition, cancellationToken),
                    { Op: MigrationStep.DeleteCollection, Name: { } collection } => await SchemaStore.DeleteAsync(tx, schema, collection, cancellationToken),
                    { Op: MigrationStep.Sql } => await ExecuteSqlAsync(tx, schema, step, cancellationToken),
                    _ => ApiError.BadRequest($"Migration {name}, step {i + 1}: unknown or incomplete step '{step.Op}'"),
                };
            }
            catch (DbException ex)
            {
                outcome = ApiError.BadRequest($"Migration {name}, step {i + 1} failed: {ex.Message}");
            }

            if (!outcome.IsSuccess)
            {
                return outcome.Error with { Message = outcome.Error.Message.StartsWith("Migration", StringComparison.Ordinal) ? outcome.Error.Message : $"Migration {name}, step {i + 1}: {outcome.Error.Message}" };
            }

            schema = outcome.Value;
        }

        return schema;
    }

    private static async Task<Outcome<SchemaSnapshot>> ExecuteSqlAsync(WriteTransaction tx, SchemaSnapshot schema, MigrationStep step, CancellationToken cancellationToken)
    {
        string? sql = (tx.Dialect.Provider == DatabaseProvider.Sqlite ? step.Sqlite : step.Postgres) ?? step.Statement;
        if (!string.IsNullOrWhiteSpace(sql))
        {
            await tx.ExecuteRawAsync(sql, cancellationToken);
        }

        return schema;
    }

    private async Task EnsureMigrationsTableAsync(CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        await tx.ExecuteRawAsync(SystemTables.CreateMigrationsTable(tx.Dialect), cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    private async Task EnsureSystemAsync(CancellationToken cancellationToken)
    {
        await EnsureMigrationsTableAsync(cancellationToken);
        var applied = await ListAppliedAsync(cancellationToken);
        foreach (var migration in systemMigrations.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            if (applied.ContainsKey(migration.Name))
            {
                continue;
            }

            await using var tx = await database.BeginWriteAsync(cancellationToken, schemaChange: true);
            await migration.Up(tx, cancellationToken);
            await RecordAsync(tx, migration.Name, SourceSystem, MigrationFile.ChecksumOf(migration.Name), migration.Name, cancellationToken);
            await tx.CommitAsync(cancellationToken);
            LogApplied(logger, migration.Name);
        }
    }

    private sealed record AppliedRow(string Name, string Source, string Checksum, string Content, DateTime AppliedAt);

    private async Task<Dictionary<string, AppliedRow>> ListAppliedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT name, source, checksum, content, applied_at FROM \"{SystemTables.Migrations}\"";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new Dictionary<string, AppliedRow>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            var appliedAt = (DateTime)database.Dialect.Read(reader, 4, SqlType.Timestamp)!;
            rows[reader.GetString(0)] = new AppliedRow(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), appliedAt);
        }

        return rows;
    }

    private static async Task RecordAsync(WriteTransaction tx, string name, string source, string checksum, string content, CancellationToken cancellationToken)
    {
        var insert = new SqlBuilder(tx.Dialect);
        insert.Append($"INSERT INTO \"{SystemTables.Migrations}\" (name, source, checksum, content, applied_at) VALUES (")
              .Parameter(SqlType.Text, name).Append(", ")
              .Parameter(SqlType.Text, source).Append(", ")
              .Parameter(SqlType.Text, checksum).Append(", ")
              .Parameter(SqlType.Text, content).Append(", ")
              .Parameter(SqlType.Timestamp, Timestamps.Now(TimeProvider.System)).Append(')');
        await tx.ExecuteAsync(insert, cancellationToken);
    }

    // Unix seconds keep files in creation order; a clash within one second moves the stamp on.
    private string NewName(string description)
    {
        long stamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string slug = MigrationFile.Slug(description);
        var existing = Directory.Exists(Folder)
            ? Directory.EnumerateFiles(Folder).Select(Path.GetFileNameWithoutExtension).Select(n => n!.Split('_')[0]).ToHashSet(StringComparer.Ordinal)
            : [];
        while (existing.Contains(stamp.ToString(CultureInfo.InvariantCulture)))
        {
            stamp++;
        }

        return $"{stamp.ToString(CultureInfo.InvariantCulture)}_{slug}";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied migration {Name}")]
    private static partial void LogApplied(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reverted migration {Name}")]
    private static partial void LogReverted(ILogger logger, string name);
}
