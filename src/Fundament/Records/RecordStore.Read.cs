using System.Data.Common;
using Fundament.Collections;
using Fundament.Data;
using Fundament.Http;
using Fundament.Rules;

namespace Fundament.Records;

/// <summary>The result of a list query: one page of records and what the envelope's meta needs.</summary>
public sealed record RecordPage(IReadOnlyList<Record> Records, long? Total, string? NextCursor);

/// <summary>SQL for records. Reads live here; writes in <c>RecordStore.Write.cs</c>.</summary>
public static partial class RecordStore
{
    /// <summary>The alias of the collection's table in every record query; rules compile against it.</summary>
    public const string Alias = "t";

    private const string PermissionColumn = "_allowed";

    public static void AppendSelect(SqlBuilder sql, Collection collection)
    {
        sql.Append("SELECT ");
        var fields = collection.Fields;
        for (int i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                sql.Append(", ");
            }

            sql.Column(Alias, fields[i].Name);
        }
    }

    private static void AppendFrom(SqlBuilder sql, Collection collection) =>
        sql.Append(" FROM ").Identifier(collection.Table).Append(' ').Append(Alias);

    private static void AppendDeleted(SqlBuilder sql, Collection collection, DeletedMode mode)
    {
        if (collection.DeletedAt is null || mode == DeletedMode.Include)
        {
            return;
        }

        sql.Append(" AND ").Column(Alias, Collection.DeletedAtField).Append(mode == DeletedMode.Only ? " IS NOT NULL" : " IS NULL");
    }

    /// <summary>
    /// Finds one record that <paramref name="visibility"/> lets the caller see. With
    /// <paramref name="permission"/>, also reports whether the record meets that (update/delete) rule.
    /// </summary>
    public static async Task<(Record? Record, bool Permitted)> FindAsync(
        DbConnection connection, DbTransaction? transaction, ISqlDialect dialect, Collection collection, string id,
        CompiledFilter? visibility, RuleContext context, DeletedMode deleted, CompiledFilter? permission = null,
        CancellationToken cancellationToken = default)
    {
        var sql = new SqlBuilder(dialect);
        AppendSelect(sql, collection);
        if (permission is not null)
        {
            sql.Append(", CASE WHEN ");
            permission.AppendTo(sql, Alias, context);
            sql.Append(" THEN 1 ELSE 0 END AS ").Append(PermissionColumn);
        }

        AppendFrom(sql, collection);
        sql.Append(" WHERE ").Column(Alias, Collection.IdField).Append(" = ").Parameter(SqlType.Id, id);
        AppendDeleted(sql, collection, deleted);
        if (visibility is not null)
        {
            sql.Append(" AND ");
            visibility.AppendTo(sql, Alias, context);
        }

        if (transaction is not null && dialect.Provider == DatabaseProvider.Postgres)
        {
            // Concurrent writers on PostgreSQL wait here instead of overwriting each other.
            sql.Append(" FOR UPDATE OF ").Append(Alias);
        }

        await using var command = sql.CreateCommand(connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return (null, false);
        }

        var record = Record.Read(reader, collection, dialect);
        bool permitted = permission is null || Convert.ToInt64(reader.GetValue(collection.Fields.Count), System.Globalization.CultureInfo.InvariantCulture) == 1;
        return (record, permitted);
    }

    public static async Task<RecordPage> ListAsync(
        DbConnection connection, ISqlDialect dialect, Collection collection, ListQuery query, CompiledFilter? rule,
        RuleContext context, object?[]? cursorValues, CancellationToken cancellationToken)
    {
        var keys = SortKeys(collection, query.Sort);
        var sql = new SqlBuilder(dialect);
        AppendSelect(sql, collection);
        AppendFrom(sql, collection);
        AppendConditions(sql, collection, query, rule, context);
        if (cursorValues is not null)
        {
            sql.Append(" AND ");
            RecordCursor.AppendAfter(sql, Alias, keys, cursorValues);
        }

        sql.Append(" ORDER BY ");
        for (int i = 0; i < keys.Count; i++)
        {
            sql.Append(i == 0 ? string.Empty : ", ").Column(Alias, keys[i].Field.Name)
               .Append(OrderDirection(keys[i]));
        }

        bool cursorMode = query.Cursor is not null;
        // One extra row tells whether a next cursor page exists without a count.
        sql.Append(" LIMIT ").Parameter(SqlType.Integer, (long)query.Limit + (cursorMode ? 1 : 0));
        if (!cursorMode)
        {
            sql.Append(" OFFSET ").Parameter(SqlType.Integer, (long)(query.Page - 1) * query.Limit);
        }

        var records = new List<Record>(Math.Min(query.Limit, 64));
        await using (var command = sql.CreateCommand(connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                records.Add(Record.Read(reader, collection, dialect));
            }
        }

        string? next = null;
        if (cursorMode && records.Count > query.Limit)
        {
            records.RemoveAt(records.Count - 1);
            next = RecordCursor.Encode(query.SortText, keys, records[^1]);
        }

        long? total = query.Total ? await CountAsync(connection, dialect, collection, query, rule, context, cancellationToken) : null;
        return new RecordPage(records, total, next);
    }

    private static async Task<long> CountAsync(DbConnection connection, ISqlDialect dialect, Collection collection, ListQuery query,
        CompiledFilter? rule, RuleContext context, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(dialect);
        sql.Append("SELECT COUNT(*)");
        AppendFrom(sql, collection);
        AppendConditions(sql, collection, query, rule, context);
        await using var command = sql.CreateCommand(connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void AppendConditions(SqlBuilder sql, Collection collection, ListQuery query, CompiledFilter? rule, RuleContext context)
    {
        sql.Append(" WHERE 1 = 1");
        AppendDeleted(sql, collection, query.Deleted);
        if (query.Filter is not null)
        {
            sql.Append(" AND ");
            query.Filter.AppendTo(sql, Alias, context);
        }

        if (rule is not null)
        {
            sql.Append(" AND ");
            rule.AppendTo(sql, Alias, context);
        }
    }

    // NULLs sort as the smallest value in both dialects; a NOT NULL column needs no NULLS clause, which
    // keeps it simple enough for SQLite to walk an index instead of sorting.
    private static string OrderDirection(SortKey key) => (key.Descending, key.Field.NotNull) switch
    {
        (true, true) => " DESC",
        (false, true) => " ASC",
        (true, false) => " DESC NULLS LAST",
        (false, false) => " ASC NULLS FIRST",
    };

    /// <summary>The requested sort with <c>id</c> appended as the tie-breaker that makes the order total.</summary>
    public static IReadOnlyList<SortKey> SortKeys(Collection collection, IReadOnlyList<SortKey> requested)
    {
        foreach (var key in requested)
        {
            if (key.Field == collection.Id)
            {
                return requested;
            }
        }

        // The tie-breaker runs in the direction of the last key, so one index such as (created_at, id)
        // can be walked in either direction instead of sorting the matching rows.
        var keys = new List<SortKey>(requested.Count + 1);
        keys.AddRange(requested);
        keys.Add(new SortKey(collection.Id, Descending: requested.Count > 0 && requested[^1].Descending));
        return keys;
    }

    /// <summary>
    /// Loads the relations named by <paramref name="spec"/> for all <paramref name="records"/>: one query
    /// per relation field and level, each restricted by the target's view rule for this caller.
    /// </summary>
    public static async Task ExpandAsync(DbConnection connection, ISqlDialect dialect, IReadOnlyList<Record> records, ExpandSpec spec,
        SchemaSnapshot schema, Caller caller, RuleContext context, AccessRules rules, CancellationToken cancellationToken)
    {
        foreach (var node in spec.Nodes)
        {
            await ExpandNodeAsync(connection, dialect, records, node, schema, caller, context, rules, cancellationToken);
        }
    }

    private static async Task ExpandNodeAsync(DbConnection connection, ISqlDialect dialect, IReadOnlyList<Record> records, ExpandSpec.Node node,
        SchemaSnapshot schema, Caller caller, RuleContext context, AccessRules rules, CancellationToken cancellationToken)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            if (record[node.Field] is string id)
            {
                ids.Add(id);
            }
        }

        var found = new Dictionary<string, Record>(StringComparer.Ordinal);
        var visibility = rules.For(node.Target, schema, RuleAction.View, caller);
        if (ids.Count > 0 && visibility.IsSuccess)
        {
            var sql = new SqlBuilder(dialect);
            AppendSelect(sql, node.Target);
            AppendFrom(sql, node.Target);
            sql.Append(" WHERE ").Column(Alias, Collection.IdField).Append(" IN (");
            int n = 0;
            foreach (var id in ids)
            {
                sql.Append(n++ == 0 ? string.Empty : ", ").Parameter(SqlType.Id, id);
            }

            sql.Append(')');
            AppendDeleted(sql, node.Target, DeletedMode.Exclude);
            if (visibility.Value is { } rule)
            {
                sql.Append(" AND ");
                rule.AppendTo(sql, Alias, context);
            }

            await using var command = sql.CreateCommand(connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var target = Record.Read(reader, node.Target, dialect);
                found[target.Id] = target;
            }
        }

        foreach (var record in records)
        {
            record.Expand ??= new Dictionary<string, Record?>(StringComparer.Ordinal);
            record.Expand[node.Field.Name] = record[node.Field] is string id ? found.GetValueOrDefault(id) : null;
        }

        if (node.Children.Count > 0 && found.Count > 0)
        {
            var targets = found.Values.ToList();
            foreach (var child in node.Children)
            {
                await ExpandNodeAsync(connection, dialect, targets, child, schema, caller, context, rules, cancellationToken);
            }
        }
    }
}
