using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Fundament.Data.Sqlite;

/// <summary>SQLite: dynamic typing underneath, so timestamps are sortable ISO-8601 text and booleans 0/1.</summary>
public sealed class SqliteDialect : ISqlDialect
{
    public static readonly SqliteDialect Instance = new();

    // https://www.sqlite.org/rescode.html
    private const int SqliteConstraint = 19;
    private const int ConstraintCheck = 275;
    private const int ConstraintForeignKey = 787;
    private const int ConstraintNotNull = 1299;
    private const int ConstraintPrimaryKey = 1555;
    private const int ConstraintUnique = 2067;

    public DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public bool RebuildsTablesToAlter => true;

    public string ClaimLock => "";

    public string ColumnType(SqlType type) => type switch
    {
        SqlType.Integer or SqlType.Boolean => "INTEGER",
        SqlType.Real => "REAL",
        _ => "TEXT",
    };

    public DbCommand CreateCommand(DbConnection connection, string sql) => SqliteStatementCache.CreateCommand((SqliteConnection)connection, sql);

    public DbParameter AddParameter(DbCommand command, string name, SqlType type, object? value)
    {
        object dbValue = value switch
        {
            null => DBNull.Value,
            DateTime time => Timestamps.FormatValue(time.ToUniversalTime()),
            bool flag => flag ? 1L : 0L,
            _ => value,
        };
        var parameter = ((SqliteCommand)command).Parameters.AddWithValue(name, dbValue);
        return parameter;
    }

    public object? Read(DbDataReader reader, int ordinal, SqlType type)
    {
        if (reader.IsDBNull(ordinal))
        {
            return null;
        }

        return type switch
        {
            SqlType.Integer => reader.GetInt64(ordinal),
            SqlType.Real => reader.GetDouble(ordinal),
            SqlType.Boolean => reader.GetInt64(ordinal) != 0,
            SqlType.Timestamp => ReadTimestamp(reader.GetString(ordinal)),
            _ => reader.GetString(ordinal),
        };
    }

    // Stored text is always the exact form; ParseExact stays for rows written some other way, with its errors.
    private static DateTime ReadTimestamp(string text) =>
        Timestamps.TryReadExact(text, out var utc)
            ? utc
            : DateTime.ParseExact(text, Timestamps.Format, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    public string Contains(string column, string patternParameter) =>
        $"{column} LIKE '%' || {patternParameter} || '%' ESCAPE '\\'";

    public string JsonArrayContains(string column, string valueParameter) =>
        $"EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value = {valueParameter})";

    public ConstraintViolation? Classify(DbException exception)
    {
        if (exception is not SqliteException { SqliteErrorCode: SqliteConstraint } sqlite)
        {
            return null;
        }

        var kind = sqlite.SqliteExtendedErrorCode switch
        {
            ConstraintUnique or ConstraintPrimaryKey => ConstraintKind.Unique,
            ConstraintForeignKey => ConstraintKind.ForeignKey,
            ConstraintNotNull => ConstraintKind.NotNull,
            ConstraintCheck => ConstraintKind.Check,
            // Deferred and RESTRICT foreign-key failures come without an extended code.
            _ => sqlite.Message.Contains("FOREIGN KEY constraint failed", StringComparison.Ordinal) ? ConstraintKind.ForeignKey
                : sqlite.Message.Contains("UNIQUE constraint failed", StringComparison.Ordinal) ? ConstraintKind.Unique
                : sqlite.Message.Contains("NOT NULL constraint failed", StringComparison.Ordinal) ? ConstraintKind.NotNull
                : (ConstraintKind?)null,
        };
        return kind is null ? null : new ConstraintViolation(kind.Value, ColumnFromMessage(sqlite.Message));
    }

    // "SQLite Error 19: 'UNIQUE constraint failed: posts.slug'." → "slug"; composite keys give the first column.
    private static string? ColumnFromMessage(string message)
    {
        int colon = message.IndexOf("failed: ", StringComparison.Ordinal);
        if (colon < 0)
        {
            return null;
        }

        var rest = message.AsSpan(colon + "failed: ".Length);
        int dot = rest.IndexOf('.');
        if (dot < 0)
        {
            return null;
        }

        rest = rest[(dot + 1)..];
        int end = rest.IndexOfAny(",'");
        return (end < 0 ? rest : rest[..end]).Trim().ToString();
    }
}
