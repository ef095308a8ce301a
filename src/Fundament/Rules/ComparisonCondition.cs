using Fundament.Data;

namespace Fundament.Rules;

/// <summary>
/// <c>=</c>, <c>!=</c> and the ranges. <c>!=</c> follows what people mean rather than SQL's three-valued
/// logic: a row whose field is NULL differs from any value, so it matches
/// (<c>(c &lt;&gt; @p OR c IS NULL)</c>). Against a request value that is missing (NULL) nothing matches,
/// like every other comparison with a missing request value.
/// </summary>
internal sealed class ComparisonCondition(ValueSource left, string sqlOperator, ValueSource right) : SqlCondition
{
    private readonly bool _notEqual = sqlOperator == "<>";

    public override void Emit(SqlBuilder sql, string alias, RuleContext context)
    {
        if (!_notEqual || left.IsColumn == right.IsColumn)
        {
            if (_notEqual && left.IsColumn)
            {
                // Both columns: differ when the values differ or exactly one of them is NULL.
                sql.Append('(');
                EmitPlain(sql, alias, context);
                sql.Append(" OR (");
                left.Emit(sql, alias, context);
                sql.Append(" IS NULL) <> (");
                right.Emit(sql, alias, context);
                sql.Append(" IS NULL))");
                return;
            }

            EmitPlain(sql, alias, context);
            return;
        }

        var column = left.IsColumn ? left : right;
        var other = left.IsColumn ? right : left;
        object? value = other.Resolve(context, out var type);
        string placeholder = sql.AddParameter(type, value);
        if (value is not null)
        {
            sql.Append('(');
        }

        EmitSide(sql, alias, context, left, placeholder);
        sql.Append(" <> ");
        EmitSide(sql, alias, context, right, placeholder);
        if (value is not null)
        {
            sql.Append(" OR ");
            column.Emit(sql, alias, context);
            sql.Append(" IS NULL)");
        }
    }

    public override Truth Evaluate(IReadOnlyDictionary<string, object?> row, RuleContext context)
    {
        if (!left.TryEvaluate(row, context, out object? l) || !right.TryEvaluate(row, context, out object? r))
        {
            return Truth.Undecided;
        }

        // The same shapes Emit writes: a column against a value matches when the column is NULL; two
        // columns differ when exactly one is NULL; anything else compared with NULL is unknown.
        if (_notEqual && left.IsColumn != right.IsColumn)
        {
            object? column = left.IsColumn ? l : r, other = left.IsColumn ? r : l;
            return other is null ? Truth.Null : column is null ? Truth.True : MemoryEvaluation.Compare(column, sqlOperator, other);
        }

        if (_notEqual && left.IsColumn && (l is null || r is null))
        {
            return l is null && r is null ? Truth.Null : Truth.True;
        }

        return l is null || r is null ? Truth.Null : MemoryEvaluation.Compare(l, sqlOperator, r);
    }

    private void EmitPlain(SqlBuilder sql, string alias, RuleContext context)
    {
        left.Emit(sql, alias, context);
        sql.Append(' ').Append(sqlOperator).Append(' ');
        right.Emit(sql, alias, context);
    }

    private static void EmitSide(SqlBuilder sql, string alias, RuleContext context, ValueSource side, string placeholder)
    {
        if (side.IsColumn)
        {
            side.Emit(sql, alias, context);
        }
        else
        {
            sql.Append(placeholder);
        }
    }
}

/// <summary>
/// <c>~</c> and <c>!~</c>: a case-insensitive "contains" through the dialect. <c>!~</c> also matches rows
/// whose field is NULL (a missing value contains nothing), the same choice as <c>!=</c>; with a missing
/// request value as the pattern, neither matches anything.
/// </summary>
internal sealed class ContainsCondition(ValueSource text, bool castToText, ValueSource pattern, bool negate) : SqlCondition
{
    public override void Emit(SqlBuilder sql, string alias, RuleContext context)
    {
        string subject;
        if (text is ColumnSource column)
        {
            subject = column.ToSql(sql.Dialect, alias);

            // uuid columns (PostgreSQL) have no LIKE; their text form is what the client sees.
            if (castToText)
            {
                subject = "CAST(" + subject + " AS TEXT)";
            }
        }
        else
        {
            object? value = text.Resolve(context, out var type);
            subject = sql.AddParameter(type, value);
        }

        object? patternValue = pattern.Resolve(context, out var patternType);
        string test = sql.Dialect.Contains(subject, sql.AddParameter(patternType, patternValue));
        if (!negate)
        {
            sql.Append(test);
            return;
        }

        bool matchNulls = text.IsColumn && patternValue is not null;
        sql.Append(matchNulls ? "(NOT (" : "NOT (").Append(test).Append(')');
        if (matchNulls)
        {
            sql.Append(" OR ").Append(subject).Append(" IS NULL)");
        }
    }

    public override Truth Evaluate(IReadOnlyDictionary<string, object?> row, RuleContext context)
    {
        if (!text.TryEvaluate(row, context, out object? subject))
        {
            return Truth.Undecided;
        }

        object? patternValue = pattern.Resolve(context, out _);
        if (subject is null || patternValue is null)
        {
            // Emit's shapes: "!~" on a NULL column with a real pattern matches; otherwise LIKE with NULL is unknown.
            return negate && text.IsColumn && subject is null && patternValue is not null ? Truth.True : Truth.Null;
        }

        if (subject is not string value || patternValue is not string escaped)
        {
            return Truth.Undecided;
        }

        var found = MemoryEvaluation.Contains(value, escaped);
        return negate ? MemoryEvaluation.Not(found) : found;
    }
}
