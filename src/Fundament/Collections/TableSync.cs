using System.Data.Common;
using Fundament.Data;
using Fundament.Http;

namespace Fundament.Collections;

/// <summary>
/// Brings a collection's table in line with its definition inside the caller's transaction.
/// PostgreSQL alters tables in place; SQLite, whose ALTER TABLE cannot change constraints, rebuilds
/// the table the way https://www.sqlite.org/lang_altertable.html#otheralter describes (new table,
/// copy, drop, rename) with foreign keys switched off by the writer for the duration.
/// </summary>
public static class TableSync
{
    public static async Task CreateAsync(WriteTransaction tx, Collection collection, CancellationToken cancellationToken)
    {
        await tx.ExecuteRawAsync(TableDdl.CreateTable(tx.Dialect, collection), cancellationToken);
        foreach (var index in TableDdl.Indexes(tx.Dialect, collection))
        {
            await tx.ExecuteRawAsync(index.CreateSql, cancellationToken);
        }
    }

    public static Task DropAsync(WriteTransaction tx, Collection collection, CancellationToken cancellationToken) =>
        tx.ExecuteRawAsync("DROP TABLE " + tx.Dialect.Quote(collection.Table), cancellationToken);

    /// <summary>
    /// Changes the table from <paramref name="from"/> to <paramref name="to"/>, keeping every record.
    /// New fields get their default; a new required field without a default on a non-empty table is
    /// refused with a validation error rather than inventing values.
    /// </summary>
    public static async Task<ApiError?> UpdateAsync(WriteTransaction tx, Collection from, Collection to, CancellationToken cancellationToken)
    {
        if (from.SoftDelete && !to.SoftDelete && await CountSoftDeletedAsync(tx, from, cancellationToken) > 0)
        {
            return ApiError.Validation("softDelete", "cannot be switched off while soft-deleted records exist; restore or permanently delete them first");
        }

        try
        {
            if (tx.Dialect.RebuildsTablesToAlter)
            {
                if (TableDdl.CreateTable(tx.Dialect, from) != TableDdl.CreateTable(tx.Dialect, to))
                {
                    await RebuildAsync(tx, from, to, cancellationToken);
                    return null;
                }
            }
            else
            {
                await AlterInPlaceAsync(tx, from, to, cancellationToken);
            }

            await SyncIndexesAsync(tx, from, to, cancellationToken);
            return null;
        }
        catch (ForeignKeyCheckException)
        {
            return ApiError.Validation("fields", "existing records point at records that do not exist");
        }
        catch (DbException ex) when (tx.Dialect.Classify(ex) is { } violation)
        {
            return violation.Kind switch
            {
                ConstraintKind.NotNull => ApiError.Validation("fields", "existing records have no value for a required field; give the field a default"),
                ConstraintKind.Unique => ApiError.Validation("fields", "existing records have duplicate values for a field that is now unique"),
                ConstraintKind.ForeignKey => ApiError.Validation("fields", "existing records point at records that do not exist"),
                _ => ApiError.Validation("fields", "existing records do not satisfy the new definition"),
            };
        }
    }

    private static async Task<long> CountSoftDeletedAsync(WriteTransaction tx, Collection collection, CancellationToken cancellationToken)
    {
        await using var command = tx.CreateCommand(
            $"SELECT COUNT(*) FROM {tx.Dialect.Quote(collection.Table)} WHERE {tx.Dialect.Quote(Collection.DeletedAtField)} IS NOT NULL");
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task RebuildAsync(WriteTransaction tx, Collection from, Collection to, CancellationToken cancellationToken)
    {
        var dialect = tx.Dialect;
        string temporary = "_new_" + to.Table;
        await tx.ExecuteRawAsync(TableDdl.CreateTable(dialect, to, temporary), cancellationToken);

        var copy = new SqlBuilder(dialect);
        copy.Append("INSERT INTO ").Identifier(temporary).Append(" (");
        AppendColumnList(copy, to);
        copy.Append(") SELECT ");
        for (int i = 0; i < to.Fields.Count; i++)
        {
            var field = to.Fields[i];
            if (i > 0)
            {
                copy.Append(", ");
            }

            AppendCopiedValue(copy, from, field);
        }

        copy.Append(" FROM ").Identifier(from.Table);
        await tx.ExecuteAsync(copy, cancellationToken);
        await tx.ExecuteRawAsync("DROP TABLE " + dialect.Quote(from.Table), cancellationToken);
        await tx.ExecuteRawAsync($"ALTER TABLE {dialect.Quote(temporary)} RENAME TO {dialect.Quote(to.Table)}", cancellationToken);
        foreach (var index in TableDdl.Indexes(dialect, to))
        {
            await tx.ExecuteRawAsync(index.CreateSql, cancellationToken);
        }

        await CheckForeignKeysAsync(tx, to, cancellationToken);
    }

    // A kept column copies its value (falling back to the default where it is newly required);
    // a new column takes its default.
    private static void AppendCopiedValue(SqlBuilder copy, Collection from, Field field)
    {
        var previous = from.FindField(field.Name);
        if (previous is null)
        {
            copy.Parameter(field.SqlType, field.DefaultValue);
        }
        else if (field.DefaultValue is not null && !previous.Required && field.Required)
        {
            copy.Append("COALESCE(").Identifier(field.Name).Append(", ").Parameter(field.SqlType, field.DefaultValue).Append(')');
        }
        else
        {
            copy.Identifier(field.Name);
        }
    }

    private static async Task CheckForeignKeysAsync(WriteTransaction tx, Collection collection, CancellationToken cancellationToken)
    {
        await using var command = tx.CreateCommand($"PRAGMA foreign_key_check({tx.Dialect.Quote(collection.Table)})");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (await reader.ReadAsync(cancellationToken))
        {
            throw new ForeignKeyCheckException();
        }
    }

    private static async Task AlterInPlaceAsync(WriteTransaction tx, Collection from, Collection to, CancellationToken cancellationToken)
    {
        var dialect = tx.Dialect;
        string table = dialect.Quote(to.Table);
        foreach (var old in from.Fields)
        {
            if (to.FindField(old.Name) is null)
            {
                await tx.ExecuteRawAsync($"ALTER TABLE {table} DROP COLUMN {dialect.Quote(old.Name)}", cancellationToken);
            }
        }

        foreach (var field in to.Fields)
        {
            var previous = from.FindField(field.Name);
            string column = dialect.Quote(field.Name);
            if (previous is null)
            {
                await tx.ExecuteRawAsync($"ALTER TABLE {table} ADD COLUMN {column} {dialect.ColumnType(field.SqlType)}", cancellationToken);
                if (field.DefaultValue is not null)
                {
                    await SetWhereNullAsync(tx, to, field, cancellationToken);
                }

                if (field.IsRelation)
                {
                    await tx.ExecuteRawAsync($"ALTER TABLE {table} ADD {TableDdl.ForeignKey(dialect, to, field)}", cancellationToken);
                }
            }
            else
            {
                if (field.Required && !previous.Required && field.DefaultValue is not null)
                {
                    await SetWhereNullAsync(tx, to, field, cancellationToken);
                }

                if (field.IsRelation && previous.Definition.OnDelete != field.Definition.OnDelete)
                {
                    await tx.ExecuteRawAsync($"ALTER TABLE {table} DROP CONSTRAINT {dialect.Quote(TableDdl.ForeignKeyName(from, previous))}", cancellationToken);
                    await tx.ExecuteRawAsync($"ALTER TABLE {table} ADD {TableDdl.ForeignKey(dialect, to, field)}", cancellationToken);
                }
            }

            bool wasNotNull = previous is not null && TableDdl.ColumnDefinition(dialect, from, previous).EndsWith("NOT NULL", StringComparison.Ordinal);
            bool isNotNull = TableDdl.ColumnDefinition(dialect, to, field).EndsWith("NOT NULL", StringComparison.Ordinal);
            if (isNotNull != wasNotNull && field != to.Id)
            {
                await tx.ExecuteRawAsync($"ALTER TABLE {table} ALTER COLUMN {column} {(isNotNull ? "SET" : "DROP")} NOT NULL", cancellationToken);
            }
        }
    }

    private static async Task SetWhereNullAsync(WriteTransaction tx, Collection collection, Field field, CancellationToken cancellationToken)
    {
        var update = new SqlBuilder(tx.Dialect);
        update.Append("UPDATE ").Identifier(collection.Table).Append(" SET ").Identifier(field.Name).Append(" = ")
              .Parameter(field.SqlType, field.DefaultValue).Append(" WHERE ").Identifier(field.Name).Append(" IS NULL");
        await tx.ExecuteAsync(update, cancellationToken);
    }

    private static async Task SyncIndexesAsync(WriteTransaction tx, Collection from, Collection to, CancellationToken cancellationToken)
    {
        var before = TableDdl.Indexes(tx.Dialect, from).ToDictionary(index => index.Name, index => index.CreateSql, StringComparer.Ordinal);
        var after = TableDdl.Indexes(tx.Dialect, to).ToDictionary(index => index.Name, index => index.CreateSql, StringComparer.Ordinal);
        foreach (var (name, sql) in before)
        {
            if (!after.TryGetValue(name, out var next) || next != sql)
            {
                await tx.ExecuteRawAsync("DROP INDEX IF EXISTS " + tx.Dialect.Quote(name), cancellationToken);
            }
        }

        foreach (var (name, sql) in after)
        {
            if (!before.TryGetValue(name, out var previous) || previous != sql)
            {
                await tx.ExecuteRawAsync(sql, cancellationToken);
            }
        }
    }

    internal static void AppendColumnList(SqlBuilder sql, Collection collection)
    {
        for (int i = 0; i < collection.Fields.Count; i++)
        {
            if (i > 0)
            {
                sql.Append(", ");
            }

            sql.Identifier(collection.Fields[i].Name);
        }
    }

    /// <summary>Raised when a rebuilt SQLite table holds references to missing records.</summary>
    private sealed class ForeignKeyCheckException() : DbException("Foreign key check failed after rebuilding a table.")
    {
    }
}
