using System.Data.Common;
using Npgsql;
using NpgsqlTypes;

namespace Fundament.Data.Postgres;

/// <summary>PostgreSQL: native uuid, boolean, timestamptz and jsonb columns.</summary>
public sealed class PostgresDialect : ISqlDialect
{
    public static readonly PostgresDialect Instance = new();

    public DatabaseProvider Provider => DatabaseProvider.Postgres;

    public bool RebuildsTablesToAlter => false;

    public string ClaimLock => " FOR UPDATE SKIP LOCKED";

    public string ColumnType(SqlType type) => type switch
    {
        SqlType.Integer => "bigint",
        SqlType.Real => "double precision",
        SqlType.Boolean => "boolean",
        SqlType.Timestamp => "timestamptz",
        SqlType.Json => "jsonb",
        SqlType.Id => "uuid",
        _ => "text",
    };

    public DbParameter AddParameter(DbCommand command, string name, SqlType type, object? value)
    {
        var parameter = new NpgsqlParameter(name, DbTypeOf(type))
        {
            Value = value switch
            {
                null => DBNull.Value,
                string id when type == SqlType.Id => Guid.Parse(id),
                DateTime time => DateTime.SpecifyKind(time.ToUniversalTime(), DateTimeKind.Utc),
                _ => value,
            },
        };
        command.Parameters.Add(parameter);
        return parameter;
    }

    private static NpgsqlDbType DbTypeOf(SqlType type) => type switch
    {
        SqlType.Integer => NpgsqlDbType.Bigint,
        SqlType.Real => NpgsqlDbType.Double,
        SqlType.Boolean => NpgsqlDbType.Boolean,
        SqlType.Timestamp => NpgsqlDbType.TimestampTz,
        SqlType.Json => NpgsqlDbType.Jsonb,
        SqlType.Id => NpgsqlDbType.Uuid,
        _ => NpgsqlDbType.Text,
    };

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
            SqlType.Boolean => reader.GetBoolean(ordinal),
            SqlType.Timestamp => DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc),
            SqlType.Id => reader.GetGuid(ordinal).ToString(),
            _ => reader.GetString(ordinal),
        };
    }

    public string Contains(string column, string patternParameter) =>
        $"{column} ILIKE '%' || {patternParameter} || '%' ESCAPE '\\'";

    public string JsonArrayContains(string column, string valueParameter) =>
        $"{column} @> jsonb_build_array({valueParameter}::text)";

    public ConstraintViolation? Classify(DbException exception)
    {
        if (exception is not PostgresException postgres)
        {
            return null;
        }

        var kind = postgres.SqlState switch
        {
            PostgresErrorCodes.UniqueViolation => ConstraintKind.Unique,
            PostgresErrorCodes.ForeignKeyViolation => ConstraintKind.ForeignKey,
            PostgresErrorCodes.NotNullViolation => ConstraintKind.NotNull,
            PostgresErrorCodes.CheckViolation => ConstraintKind.Check,
            { } state when state.StartsWith("22", StringComparison.Ordinal) => ConstraintKind.InvalidValue,
            _ => (ConstraintKind?)null,
        };
        return kind is null ? null : new ConstraintViolation(kind.Value, postgres.ConstraintName ?? postgres.ColumnName);
    }
}
