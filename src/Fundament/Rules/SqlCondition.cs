using Fundament.Data;

namespace Fundament.Rules;

/// <summary>A checked piece of a filter that writes itself as SQL; shared by all requests, so it holds no request values.</summary>
internal abstract class SqlCondition
{
    public abstract void Emit(SqlBuilder sql, string alias, RuleContext context);
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
}

internal sealed class NegatedCondition(SqlCondition inner) : SqlCondition
{
    public override void Emit(SqlBuilder sql, string alias, RuleContext context)
    {
        sql.Append("NOT (");
        inner.Emit(sql, alias, context);
        sql.Append(')');
    }
}

/// <summary><c>x IS NULL</c> or <c>x IS NOT NULL</c>.</summary>
internal sealed class NullCondition(ValueSource operand, bool isNull) : SqlCondition
{
    public override void Emit(SqlBuilder sql, string alias, RuleContext context)
    {
        operand.Emit(sql, alias, context);
        sql.Append(isNull ? " IS NULL" : " IS NOT NULL");
    }
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
}
