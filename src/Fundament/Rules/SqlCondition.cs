using Fundament.Data;

namespace Fundament.Rules;

/// <summary>
/// A checked piece of a filter that writes itself as SQL, or evaluates itself on one record's stored values
/// with the same meaning (realtime fan-out); shared by all requests, so it holds no request values.
/// </summary>
internal abstract class SqlCondition
{
    public abstract void Emit(SqlBuilder sql, string alias, RuleContext context);

    /// <summary>The condition on <paramref name="row"/> (stored values by field name), as the database would judge it.</summary>
    public abstract Truth Evaluate(IReadOnlyDictionary<string, object?> row, RuleContext context);
}

/// <summary>Conditions joined by AND or OR, always parenthesised so the caller's SQL cannot change the grouping.</summary>
internal sealed class JunctionCondition(SqlCondition[] items, bool all) : SqlCondition
{
    public override void Emit(SqlBuilder sql, string alias, RuleContext context)
    {
        sql.Append('(');
        for (int i = 0; i < items.Length; i++)
        {
            if (i > 0)
            {
                sql.Append(all ? " AND " : " OR ");
            }

            items[i].Emit(sql, alias, context);
        }

        sql.Append(')');
    }

    public override Truth Evaluate(IReadOnlyDictionary<string, object?> row, RuleContext context)
    {
        // FALSE decides an AND (TRUE an OR) whatever the rest is; otherwise what memory cannot
        // decide wins over unknown, and unknown over the neutral value.
        var decisive = all ? Truth.False : Truth.True;
        bool undecided = false, unknown = false;
        foreach (var item in items)
        {
            var value = item.Evaluate(row, context);
            if (value == decisive)
            {
                return decisive;
            }

            undecided |= value == Truth.Undecided;
            unknown |= value == Truth.Null;
        }

        return undecided ? Truth.Undecided : unknown ? Truth.Null : all ? Truth.True : Truth.False;
    }
}

internal sealed class NegatedCondition(SqlCondition inner) : SqlCondition
{
    public override void Emit(SqlBuilder sql, string alias, RuleContext context)
    {
        sql.Append("NOT (");
        inner.Emit(sql, alias, context);
        sql.Append(')');
    }

    public override Truth Evaluate(IReadOnlyDictionary<string, object?> row, RuleContext context) =>
        MemoryEvaluation.Not(inner.Evaluate(row, context));
}

/// <summary><c>x IS NULL</c> or <c>x IS NOT NULL</c>.</summary>
internal sealed class NullCondition(ValueSource operand, bool isNull) : SqlCondition
{
    public override void Emit(SqlBuilder sql, string alias, RuleContext context)
    {
        operand.Emit(sql, alias, context);
        sql.Append(isNull ? " IS NULL" : " IS NOT NULL");
    }

    public override Truth Evaluate(IReadOnlyDictionary<string, object?> row, RuleContext context) =>
        operand.TryEvaluate(row, context, out object? value) ? MemoryEvaluation.Of((value is null) == isNull) : Truth.Undecided;
}

/// <summary>Any element of a multiple select's JSON array equals the value (<c>?=</c>).</summary>
internal sealed class AnyElementCondition(ColumnSource array, ValueSource value) : SqlCondition
{
    public override void Emit(SqlBuilder sql, string alias, RuleContext context)
    {
        string column = array.ToSql(sql.Dialect, alias);
        object? item = value.Resolve(context, out var type);
        sql.Append(sql.Dialect.JsonArrayContains(column, sql.AddParameter(type, item)));
    }

    // With a NULL on either side SQLite answers false and PostgreSQL unknown, so only the database can say.
    public override Truth Evaluate(IReadOnlyDictionary<string, object?> row, RuleContext context) =>
        array.TryEvaluate(row, context, out object? elements) && elements is string json && value.Resolve(context, out _) is string item
            ? MemoryEvaluation.AnyElement(json, item)
            : Truth.Undecided;
}
