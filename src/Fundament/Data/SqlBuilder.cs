using System.Data.Common;
using System.Text;

namespace Fundament.Data;

/// <summary>
/// Builds one SQL statement and its parameters. Values only ever enter the statement as
/// parameters (<c>@p0</c>, <c>@p1</c> …); identifiers only through <see cref="Identifier"/>,
/// which quotes names that the schema has already validated.
/// </summary>
/// <remarks>
/// A statement whose text is the same every time (a collection's INSERT) can be built once and started from with
/// <see cref="SqlBuilder(ISqlDialect, string)"/>; its parameters are then added with <see cref="AddParameter"/> in the
/// order of its placeholders.
/// </remarks>
public sealed class SqlBuilder(ISqlDialect dialect)
{
    // Placeholder names of the first parameters, built once: every statement names its parameters twice.
    private static readonly string[] Names = [.. Enumerable.Range(0, 64).Select(i => "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    private readonly List<(SqlType Type, object? Value)> _parameters = new(8);
    // The statement so far: a text given whole (a cached statement) until something is appended to it.
    private string? _text;
    private StringBuilder? _sql;

    public SqlBuilder(ISqlDialect dialect, string statement)
        : this(dialect)
    {
        _text = statement;
    }

    public ISqlDialect Dialect { get; } = dialect;

    public int ParameterCount => _parameters.Count;

    public SqlBuilder Append(string rawSql)
    {
        Text().Append(rawSql);
        return this;
    }

    public SqlBuilder Append(char rawSql)
    {
        Text().Append(rawSql);
        return this;
    }

    /// <summary>Appends a quoted identifier; <paramref name="validatedName"/> must come from the schema.</summary>
    public SqlBuilder Identifier(string validatedName)
    {
        Text().Append(Dialect.Quote(validatedName));
        return this;
    }

    /// <summary>Appends <c>alias."column"</c>.</summary>
    public SqlBuilder Column(string alias, string validatedName)
    {
        Text().Append(alias).Append('.').Append(Dialect.Quote(validatedName));
        return this;
    }

    /// <summary>Adds a parameter and returns its placeholder without appending it.</summary>
    public string AddParameter(SqlType type, object? value)
    {
        string name = Name(_parameters.Count);
        _parameters.Add((type, value));
        return name;
    }

    /// <summary>Adds a parameter and appends its placeholder.</summary>
    public SqlBuilder Parameter(SqlType type, object? value)
    {
        Text().Append(AddParameter(type, value));
        return this;
    }

    public override string ToString() => _sql?.ToString() ?? _text ?? string.Empty;

    private StringBuilder Text()
    {
        if (_sql is null)
        {
            _sql = new StringBuilder(Math.Max(256, (_text?.Length ?? 0) + 64)).Append(_text);
            _text = null;
        }

        return _sql;
    }

    private static string Name(int index) =>
        index < Names.Length ? Names[index] : "@p" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Creates a command on <paramref name="connection"/> with this statement and its parameters.</summary>
    public DbCommand CreateCommand(DbConnection connection, DbTransaction? transaction = null)
    {
        var command = Dialect.CreateCommand(connection, ToString());
        command.Transaction = transaction;
        for (int i = 0; i < _parameters.Count; i++)
        {
            var (type, value) = _parameters[i];
            Dialect.AddParameter(command, Name(i), type, value);
        }

        return command;
    }
}
