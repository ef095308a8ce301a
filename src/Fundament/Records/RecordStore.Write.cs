using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Fundament.Collections;
using Fundament.Data;
using Fundament.Http;
using Fundament.Rules;
using Fundament.Toolkit;

namespace Fundament.Records;

/// <summary>Who writes, against which schema, at which instant: shared by every write of one request or batch.</summary>
public sealed record WriteContext(SchemaSnapshot Schema, Caller Caller, AccessRules Rules, DateTime Now, string Method)
{
    public RecordHooks Hooks { get; init; } = RecordHooks.None;

    public RuleContext RuleContext(JsonElement? body) =>
        new() { Auth = Caller.Auth, Body = body, Method = Method, Now = Now };
}

public static partial class RecordStore
{
    private static readonly ConditionalWeakTable<Collection, Statement> InsertStatements = new();

    public static async Task<Outcome<Record>> CreateAsync(WriteTransaction tx, WriteContext context, Collection collection, JsonElement body, CancellationToken cancellationToken)
    {
        var rule = context.Rules.For(collection, context.Schema, RuleAction.Create, context.Caller);
        if (!rule.IsSuccess)
        {
            return rule.Error;
        }

        var input = RecordInput.Validate(collection, body, RecordInput.Mode.Create, current: null);
        if (!input.IsSuccess)
        {
            return input.Error;
        }

        var values = input.Value;
        values[0] ??= Uuids.NewV7();
        values[collection.IndexOf(collection.CreatedAt)] = context.Now;
        values[collection.IndexOf(collection.UpdatedAt)] = context.Now;
        if (await CheckRelationsAsync(tx, context.Schema, collection, values, previous: null, cancellationToken) is { } missing)
        {
            return missing;
        }

        var write = new RecordWrite(tx, context, collection, null, values);
        if (await context.Hooks.ValidateAsync(write, cancellationToken) is { } vetoed)
        {
            return vetoed;
        }

        var sql = new SqlBuilder(tx.Dialect, InsertStatement(tx.Dialect, collection));
        for (int i = 0; i < values.Length; i++)
        {
            sql.AddParameter(collection.Fields[i].SqlType, values[i]);
        }

        var created = await WriteReturningAsync(tx, collection, sql, cancellationToken);
        if (!created.IsSuccess)
        {
            return created;
        }

        await context.Hooks.WrittenAsync(write with { After = created.Value.Values, Written = created.Value }, cancellationToken);
        if (rule.Value is null)
        {
            return created;
        }

        // The create rule may read the new record's fields, so it is checked against the inserted row;
        // the caller's transaction rolls the insert back when it fails.
        var (visible, _) = await FindAsync(tx.Connection, tx.Transaction, tx.Dialect, collection, created.Value.Id, rule.Value,
            context.RuleContext(body), DeletedMode.Include, cancellationToken: cancellationToken);
        return visible is null ? ApiError.Forbidden($"The createRule of '{collection.Name}' does not allow this record") : created;
    }

    public static async Task<Outcome<Record>> UpdateAsync(WriteTransaction tx, WriteContext context, Collection collection, string id, JsonElement body,
        RecordInput.Mode mode, string? ifMatch, CancellationToken cancellationToken)
    {
        var current = await FindForWriteAsync(tx, context, collection, id, RuleAction.Update, body, DeletedMode.Exclude, ifMatch, cancellationToken);
        if (!current.IsSuccess)
        {
            return current.Error;
        }

        var input = RecordInput.Validate(collection, body, mode, current.Value);
        if (!input.IsSuccess)
        {
            return input.Error;
        }

        var values = input.Value;
        values[collection.IndexOf(collection.UpdatedAt)] = context.Now;
        if (await CheckRelationsAsync(tx, context.Schema, collection, values, current.Value.Values, cancellationToken) is { } missing)
        {
            return missing;
        }

        var write = new RecordWrite(tx, context, collection, current.Value.Values, values);
        if (await context.Hooks.ValidateAsync(write, cancellationToken) is { } vetoed)
        {
            return vetoed;
        }

        var sql = new SqlBuilder(tx.Dialect);
        sql.Append("UPDATE ").Identifier(collection.Table).Append(" AS ").Append(Alias).Append(" SET ");
        bool first = true;
        for (int i = 0; i < values.Length; i++)
        {
            var field = collection.Fields[i];
            if (field == collection.Id || field == collection.CreatedAt || field == collection.DeletedAt)
            {
                continue;
            }

            sql.Append(first ? string.Empty : ", ").Identifier(field.Name).Append(" = ").Parameter(field.SqlType, values[i]);
            first = false;
        }

        sql.Append(" WHERE ").Column(Alias, Collection.IdField).Append(" = ").Parameter(SqlType.Id, current.Value.Id);
        AppendReturning(sql, collection);
        var updated = await WriteReturningAsync(tx, collection, sql, cancellationToken);
        if (updated.IsSuccess)
        {
            await context.Hooks.WrittenAsync(write with { After = updated.Value.Values, Written = updated.Value }, cancellationToken);
        }

        return updated;
    }

    // A record the caller cannot see is a 404; one it can see but not change is a 403.
    private static async Task<Outcome<Record>> FindForWriteAsync(WriteTransaction tx, WriteContext context, Collection collection, string id,
        RuleAction action, JsonElement? body, DeletedMode deleted, string? ifMatch, CancellationToken cancellationToken)
    {
        if (!Uuids.TryNormalize(id, out var canonical))
        {
            return ApiError.NotFound("Record not found");
        }

        var permission = context.Rules.For(collection, context.Schema, action, context.Caller);
        if (!permission.IsSuccess)
        {
            return permission.Error;
        }

        var visibility = context.Rules.For(collection, context.Schema, RuleAction.View, context.Caller);
        var (record, permitted) = await FindAsync(tx.Connection, tx.Transaction, tx.Dialect, collection, canonical,
            visibility.IsSuccess ? visibility.Value : null, context.RuleContext(body), deleted,
            permission.Value, cancellationToken);
        if (record is null || (!visibility.IsSuccess && !permitted))
        {
            return ApiError.NotFound("Record not found");
        }

        if (!permitted)
        {
            return ApiError.Forbidden($"The {AccessRules.RuleName(action)} of '{collection.Name}' does not allow this");
        }

        if (ifMatch is not null && !ETags.Matches(ifMatch, RecordJson.ETag(record)))
        {
            return ApiError.PreconditionFailed();
        }

        return record;
    }

    // A collection's INSERT … RETURNING, its parameters numbered in field order: the same text for every create, so
    // it is built once per collection (a schema change makes a new collection) and dialect.
    private static string InsertStatement(ISqlDialect dialect, Collection collection)
    {
        if (InsertStatements.TryGetValue(collection, out var cached) && cached.Dialect == dialect)
        {
            return cached.Sql;
        }

        var sql = new SqlBuilder(dialect);
        sql.Append("INSERT INTO ").Identifier(collection.Table).Append(" AS ").Append(Alias).Append(" (");
        TableSync.AppendColumnList(sql, collection);
        sql.Append(") VALUES (");
        for (int i = 0; i < collection.Fields.Count; i++)
        {
            sql.Append(i == 0 ? string.Empty : ", ").Parameter(collection.Fields[i].SqlType, null);
        }

        sql.Append(')');
        AppendReturning(sql, collection);
        string text = sql.ToString();
        InsertStatements.AddOrUpdate(collection, new Statement(dialect, text));
        return text;
    }

    private sealed record Statement(ISqlDialect Dialect, string Sql);

    private static void AppendReturning(SqlBuilder sql, Collection collection)
    {
        sql.Append(" RETURNING ");
        var fields = collection.Fields;
        for (int i = 0; i < fields.Count; i++)
        {
            sql.Append(i == 0 ? string.Empty : ", ").Identifier(fields[i].Name);
        }
    }

    private static async Task<Outcome<Record>> WriteReturningAsync(WriteTransaction tx, Collection collection, SqlBuilder sql, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = tx.CreateCommand(sql);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return ApiError.NotFound("Record not found");
            }

            return Record.Read(reader, collection, tx.Dialect);
        }
        catch (DbException ex) when (tx.Dialect.Classify(ex) is { } violation)
        {
            return violation.Kind switch
            {
                ConstraintKind.Unique => ApiError.Conflict("A record with the same unique value already exists", UniqueFields(tx.Dialect, collection, violation.Name)),
                ConstraintKind.ForeignKey => ApiError.Validation("relation", "references a record that does not exist"),
                ConstraintKind.InvalidValue => ApiError.Validation("record", "holds a value the database cannot store (for example a number beyond its range)"),
                _ => ApiError.Validation("record", "breaks a constraint of the collection"),
            };
        }
    }

    // SQLite names the column, PostgreSQL the index; either way the details list the fields.
    private static List<ErrorDetail> UniqueFields(ISqlDialect dialect, Collection collection, string? name)
    {
        IEnumerable<string> fields = name is null ? [] : [name];
        if (name == Collection.IdField)
        {
            fields = [Collection.IdField];
        }
        else if (name is not null && TableDdl.Indexes(dialect, collection).FirstOrDefault(index => index.Name == name) is { } index)
        {
            fields = index.Fields;
        }
        else if (name is not null && name.StartsWith(collection.Table + "_pkey", StringComparison.Ordinal))
        {
            fields = [Collection.IdField];
        }

        return fields.Select(field => new ErrorDetail(field, "must be unique; another record already has this value")).ToList();
    }

    // Relations are checked up front so that each missing target is reported on its own field,
    // and so that soft-deleted targets count as missing.
    private static async Task<ApiError?> CheckRelationsAsync(WriteTransaction tx, SchemaSnapshot schema, Collection collection, object?[] values, object?[]? previous, CancellationToken cancellationToken)
    {
        List<ErrorDetail>? errors = null;
        var fields = collection.Fields;
        for (int i = 0; i < fields.Count; i++)
        {
            var field = fields[i];
            if (!field.IsRelation || values[i] is not string target || (previous is not null && Equals(previous[i], target)) ||
                (field.Target == collection.Name && Equals(values[0], target)))
            {
                continue;
            }

            var sql = new SqlBuilder(tx.Dialect);
            sql.Append("SELECT 1 FROM ").Identifier(field.Target!).Append(" WHERE ").Identifier(Collection.IdField).Append(" = ").Parameter(SqlType.Id, target);
            if ((field.Target == collection.Name ? collection : schema.Find(field.Target!))?.SoftDelete == true)
            {
                sql.Append(" AND ").Identifier(Collection.DeletedAtField).Append(" IS NULL");
            }

            await using var command = tx.CreateCommand(sql);
            if (await command.ExecuteScalarAsync(cancellationToken) is null)
            {
                (errors ??= []).Add(new ErrorDetail(field.Name, $"does not reference an existing record in {field.Target}"));
            }
        }

        return errors is null ? null : ApiError.Validation(errors);
    }
}
