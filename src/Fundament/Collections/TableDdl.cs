using System.Security.Cryptography;
using System.Text;
using Fundament.Data;

namespace Fundament.Collections;

/// <summary>
/// The DDL of a collection's table: columns with real types, NOT NULL for required fields, named
/// foreign keys for relations, and named indexes. Shared by both dialects; only column types differ.
/// </summary>
public static class TableDdl
{
    /// <summary>One index of a collection, with the statement that creates it.</summary>
    public sealed record IndexSpec(string Name, string CreateSql, IReadOnlyList<string> Fields, bool Unique);

    public static string CreateTable(ISqlDialect dialect, Collection collection, string? tableNameOverride = null)
    {
        var sql = new StringBuilder(256);
        sql.Append("CREATE TABLE ").Append(dialect.Quote(tableNameOverride ?? collection.Table)).Append(" (");
        for (int i = 0; i < collection.Fields.Count; i++)
        {
            var field = collection.Fields[i];
            sql.Append(i == 0 ? "\n  " : ",\n  ").Append(ColumnDefinition(dialect, collection, field));
        }

        foreach (var field in collection.UserFields)
        {
            if (field.IsRelation)
            {
                sql.Append(",\n  ").Append(ForeignKey(dialect, collection, field));
            }
        }

        sql.Append("\n)");
        return sql.ToString();
    }

    public static string ColumnDefinition(ISqlDialect dialect, Collection collection, Field field)
    {
        var column = dialect.Quote(field.Name) + " " + dialect.ColumnType(field.SqlType);
        if (field == collection.Id)
        {
            return column + " PRIMARY KEY NOT NULL";
        }

        bool notNull = field == collection.CreatedAt || field == collection.UpdatedAt || (!field.IsSystem && field.Required);
        return notNull ? column + " NOT NULL" : column;
    }

    public static string ForeignKeyName(Collection collection, Field field) => ShortName("fk", collection.Table, field.Name);

    public static string ForeignKey(ISqlDialect dialect, Collection collection, Field field)
    {
        string action = field.Definition.OnDelete switch
        {
            OnDelete.Cascade => "CASCADE",
            OnDelete.SetNull => "SET NULL",
            _ => "RESTRICT",
        };
        return $"CONSTRAINT {dialect.Quote(ForeignKeyName(collection, field))} FOREIGN KEY ({dialect.Quote(field.Name)}) " +
               $"REFERENCES {dialect.Quote(field.Target!)} ({dialect.Quote(Collection.IdField)}) ON DELETE {action}";
    }

    /// <summary>
    /// Every index the collection needs: unique and indexed fields, relation columns (for joins,
    /// expands and cascades), created_at (the usual sort) and the composite indexes. Unique indexes on
    /// soft-delete collections cover live records only, so a deleted record does not block its value.
    /// </summary>
    public static IReadOnlyList<IndexSpec> Indexes(ISqlDialect dialect, Collection collection)
    {
        var specs = new List<IndexSpec>();
        void Add(IReadOnlyList<string> fields, bool unique)
        {
            string name = ShortName(unique ? "ux" : "ix", collection.Table, string.Join('_', fields));
            if (specs.Any(spec => spec.Name == name))
            {
                return;
            }

            var sql = new StringBuilder();
            sql.Append(unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ").Append(dialect.Quote(name))
               .Append(" ON ").Append(dialect.Quote(collection.Table)).Append(" (")
               .AppendJoin(", ", fields.Select(dialect.Quote)).Append(')');
            if (unique && collection.SoftDelete)
            {
                sql.Append(" WHERE ").Append(dialect.Quote(Collection.DeletedAtField)).Append(" IS NULL");
            }

            specs.Add(new IndexSpec(name, sql.ToString(), fields, unique));
        }

        foreach (var field in collection.UserFields)
        {
            if (field.Definition.Unique)
            {
                Add([field.Name], unique: true);
            }
            else if (field.Definition.Indexed || field.IsRelation)
            {
                Add([field.Name], unique: false);
            }
        }

        // With id as the tie-breaker every list order is total, so (created_at, id) serves the usual sort whole.
        Add([Collection.CreatedAtField, Collection.IdField], unique: false);
        foreach (var index in collection.Definition.Indexes)
        {
            Add(index.Fields, index.Unique);
        }

        return specs;
    }

    /// <summary>
    /// Names an index or constraint within PostgreSQL's 63-byte identifier limit; long names end in a
    /// hash of the full name so that they stay distinct.
    /// </summary>
    public static string ShortName(string prefix, string table, string rest)
    {
        string full = $"{prefix}_{table}_{rest}";
        if (full.Length <= 60)
        {
            return full;
        }

        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(full)))[..10];
        return $"{prefix}_{table[..Math.Min(table.Length, 40)]}_{hash}";
    }
}
