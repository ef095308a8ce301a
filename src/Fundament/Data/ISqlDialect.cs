using System.Data.Common;

namespace Fundament.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>
/// Everything that differs between SQLite and PostgreSQL: column types, value conversion, the few
/// expressions the two spell differently, error classification and schema-change mechanics.
/// Everything else (the SQL shape of queries, parameters, transactions) is shared.
/// </summary>
public interface ISqlDialect
{
    DatabaseProvider Provider { get; }

    /// <summary>Quotes an identifier that was already validated against the schema's name rules.</summary>
    string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    string ColumnType(SqlType type);

    /// <summary>A command for <paramref name="sql"/> on <paramref name="connection"/>; SQLite reuses prepared statements on its writer.</summary>
    DbCommand CreateCommand(DbConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    /// <summary>Adds a parameter holding a canonical CLR value (see <see cref="SqlType"/>) of the given type.</summary>
    DbParameter AddParameter(DbCommand command, string name, SqlType type, object? value);

    /// <summary>Reads a column into its canonical CLR value, or null.</summary>
    object? Read(DbDataReader reader, int ordinal, SqlType type);

    /// <summary>A case-insensitive "contains" of <paramref name="patternParameter"/> (a parameter holding an escaped LIKE pattern) in a text column.</summary>
    string Contains(string column, string patternParameter);

    /// <summary>True when any element of a JSON array column equals the parameter's text.</summary>
    string JsonArrayContains(string column, string valueParameter);

    /// <summary>Classifies a provider exception as a constraint violation, or returns null.</summary>
    ConstraintViolation? Classify(DbException exception);

    /// <summary>
    /// Appended to a SELECT that claims rows for work: PostgreSQL locks them and skips rows other
    /// nodes hold (<c>FOR UPDATE SKIP LOCKED</c>); SQLite has one writer, so the transaction suffices.
    /// </summary>
    string ClaimLock { get; }

    /// <summary>True when the schema-change runner must rebuild a table to change its columns (SQLite).</summary>
    bool RebuildsTablesToAlter { get; }
}

public enum ConstraintKind
{
    Unique,
    ForeignKey,
    NotNull,
    Check,

    /// <summary>The database refused a value itself (PostgreSQL's data exceptions, such as a JSON number beyond its range).</summary>
    InvalidValue,
}

/// <summary>A constraint the database refused; <see cref="Name"/> is the index/column name when known.</summary>
public sealed record ConstraintViolation(ConstraintKind Kind, string? Name);
