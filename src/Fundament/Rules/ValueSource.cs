using Fundament.Data;

namespace Fundament.Rules;

/// <summary>
/// Where one side of a compiled comparison takes its value from: a column (emitted as SQL) or a value
/// (always bound as a parameter, resolved from the request at emit time when it is dynamic).
/// </summary>
internal abstract class ValueSource
{
    public virtual bool IsColumn => false;

    /// <summary>The value to bind, and its type; only for sources that are not columns.</summary>
    public virtual object? Resolve(RuleContext context, out SqlType type) => throw new InvalidOperationException("A column has no value.");

    /// <summary>
    /// The value in memory: a column's from <paramref name="row"/> (stored values by field name), anything
    /// else from the request. False when only the database can read it (a path through relations).
    /// </summary>
    public virtual bool TryEvaluate(IReadOnlyDictionary<string, object?> row, RuleContext context, out object? value)
    {
        value = Resolve(context, out _);
        return true;
    }

    /// <summary>Appends the column expression, or binds the value and appends its placeholder.</summary>
    public virtual void Emit(SqlBuilder sql, string alias, RuleContext context)
    {
        object? value = Resolve(context, out var type);
        sql.Parameter(type, value);
    }
}

/// <summary>A literal from the expression, already converted (and, for patterns, escaped) at compile time.</summary>
internal sealed class ConstantSource(SqlType valueType, object? value) : ValueSource
{
    public override object? Resolve(RuleContext context, out SqlType type)
    {
        type = valueType;
        return value;
    }
}

internal sealed class NowSource : ValueSource
{
    public static readonly NowSource Instance = new();

    public override object? Resolve(RuleContext context, out SqlType type)
    {
        type = SqlType.Timestamp;
        var now = context.Now;

        // An unspecified kind is taken as UTC rather than as server-local time.
        return now.Kind == DateTimeKind.Local ? now.ToUniversalTime() : DateTime.SpecifyKind(now, DateTimeKind.Utc);
    }
}

internal sealed class MethodSource(bool likePattern) : ValueSource
{
    public static readonly MethodSource Plain = new(likePattern: false);
    public static readonly MethodSource Pattern = new(likePattern: true);

    public override object? Resolve(RuleContext context, out SqlType type)
    {
        type = SqlType.Text;
        return likePattern ? LikePattern.Escape(context.Method) : context.Method;
    }
}

/// <summary>
/// A column of the collection, or of a collection reached through relation fields. Each hop becomes
/// a scalar subquery on the target's id, with its own alias (r1, r2 …) so nested hops never clash:
/// <c>(SELECT r1."name" FROM "users" r1 WHERE r1."id" = t."author")</c>.
/// </summary>
internal sealed class ColumnSource : ValueSource
{
    private static readonly string[] Aliases = ["r1", "r2", "r3", "r4"];

    private readonly string[] _path;
    private readonly string[] _tables;

    /// <param name="path">Column names, one per hop; <paramref name="tables"/>[k] holds <paramref name="path"/>[k + 1].</param>
    public ColumnSource(string[] path, string[] tables)
    {
        if (path.Length - 1 > Aliases.Length || tables.Length != path.Length - 1)
        {
            throw new ArgumentException("A column path needs one table per relation hop, at most four hops.", nameof(tables));
        }

        _path = path;
        _tables = tables;
    }

    public override bool IsColumn => true;

    public bool HasRelations => _tables.Length > 0;

    public override void Emit(SqlBuilder sql, string alias, RuleContext context) => EmitLevel(sql, alias, _path.Length - 1);

    public override bool TryEvaluate(IReadOnlyDictionary<string, object?> row, RuleContext context, out object? value)
    {
        value = HasRelations ? null : row.GetValueOrDefault(_path[0]);
        return !HasRelations;
    }

    /// <summary>The column expression as text, for dialect helpers that take SQL strings. It holds no parameters.</summary>
    public string ToSql(ISqlDialect dialect, string alias)
    {
        if (_tables.Length == 0)
        {
            return alias + "." + dialect.Quote(_path[0]);
        }

        var sql = new SqlBuilder(dialect);
        EmitLevel(sql, alias, _path.Length - 1);
        return sql.ToString();
    }

    private void EmitLevel(SqlBuilder sql, string alias, int level)
    {
        if (level == 0)
        {
            sql.Column(alias, _path[0]);
            return;
        }

        string hop = Aliases[level - 1];
        sql.Append("(SELECT ").Column(hop, _path[level])
            .Append(" FROM ").Identifier(_tables[level - 1]).Append(' ').Append(hop)
            .Append(" WHERE ").Column(hop, Fundament.Collections.Collection.IdField).Append(" = ");
        EmitLevel(sql, alias, level - 1);
        sql.Append(')');
    }
}
