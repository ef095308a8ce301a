using Fundament.Collections;
using Fundament.Data;
using Fundament.Data.Sqlite;
using Fundament.Rules;
using Microsoft.Data.Sqlite;

namespace Fundament.Tests.Rules;

/// <summary>An in-memory SQLite database with the tables of <see cref="BlogSchema"/>, laid out as the schema would create them.</summary>
internal sealed class BlogDatabase : IDisposable
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    public BlogDatabase()
    {
        _connection.Open();
        CreateTable(BlogSchema.Profiles);
        CreateTable(BlogSchema.Users);
        CreateTable(BlogSchema.Posts);
    }

    public void Dispose() => _connection.Dispose();

    /// <summary>Inserts a row; values are canonical stored values by field name.</summary>
    public void Insert(Collection collection, string id, Dictionary<string, object?> values, DateTime created)
    {
        values[Collection.IdField] = id;
        values[Collection.CreatedAtField] = created;
        values[Collection.UpdatedAtField] = created;
        var sql = new SqlBuilder(SqliteDialect.Instance).Append("INSERT INTO ").Identifier(collection.Table).Append(" (");
        string separator = string.Empty;
        foreach (string name in values.Keys)
        {
            sql.Append(separator).Identifier(name);
            separator = ", ";
        }

        sql.Append(") VALUES (");
        separator = string.Empty;
        foreach (var (name, value) in values)
        {
            sql.Append(separator).Parameter(collection.FindField(name)!.SqlType, value);
            separator = ", ";
        }

        Execute(sql.Append(')'));
    }

    /// <summary>The ids of the posts the filter selects.</summary>
    public List<string> SelectPosts(CompiledFilter filter, RuleContext context)
    {
        var sql = new SqlBuilder(SqliteDialect.Instance).Append("SELECT t.\"id\" FROM \"posts\" t WHERE ");
        filter.AppendTo(sql, "t", context);
        using var command = sql.CreateCommand(_connection);
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    public long CountPosts()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM \"posts\"";
        return (long)command.ExecuteScalar()!;
    }

    private void CreateTable(Collection collection)
    {
        var sql = new SqlBuilder(SqliteDialect.Instance).Append("CREATE TABLE ").Identifier(collection.Table).Append(" (");
        for (int i = 0; i < collection.Fields.Count; i++)
        {
            var field = collection.Fields[i];
            sql.Append(i == 0 ? string.Empty : ", ").Identifier(field.Name).Append(' ').Append(SqliteDialect.Instance.ColumnType(field.SqlType));
        }

        Execute(sql.Append(')'));
    }

    private void Execute(SqlBuilder sql)
    {
        using var command = sql.CreateCommand(_connection);
        command.ExecuteNonQuery();
    }
}
