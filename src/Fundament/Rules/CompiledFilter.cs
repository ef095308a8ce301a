using Fundament.Data;

namespace Fundament.Rules;

/// <summary>
/// A filter expression parsed and checked against one collection at one schema version. Safe to
/// cache and share between requests: it holds no request values, only where to take them from.
/// </summary>
public sealed class CompiledFilter
{
    private readonly SqlCondition _condition;
    private readonly bool _usesRelations;

    internal CompiledFilter(string expression, SqlCondition condition, bool usesRelations, IReadOnlySet<string> relationTargets)
    {
        RelationTargets = relationTargets;
        Expression = expression;
        _condition = condition;
        _usesRelations = usesRelations;
    }

    /// <summary>The collections this filter reads through relation paths (<c>author.name</c> reads <c>users</c>).</summary>
    public IReadOnlySet<string> RelationTargets { get; }

    /// <summary>The source text this filter was compiled from.</summary>
    public string Expression { get; }

    /// <summary>
    /// Appends the filter as one parenthesised SQL boolean expression over table alias <paramref name="alias"/>.
    /// Every value becomes a parameter of <paramref name="sql"/>; request values are read from <paramref name="context"/>.
    /// Relation paths use the subquery aliases r1, r2 …, so <paramref name="alias"/> must not be one of those.
    /// </summary>
    public void AppendTo(SqlBuilder sql, string alias, RuleContext context)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(context);
        if (_usesRelations && alias.Length == 2 && alias[0] == 'r' && char.IsAsciiDigit(alias[1]))
        {
            throw new ArgumentException($"The alias '{alias}' is reserved for relation subqueries.", nameof(alias));
        }

        sql.Append('(');
        _condition.Emit(sql, alias, context);
        sql.Append(')');
    }

    /// <summary>
    /// Decides on one record in memory what <see cref="AppendTo"/> would decide in the database, without a
    /// query: <paramref name="record"/> holds its stored values by field name. Realtime fan-out uses it to
    /// check thousands of subscribers per change; <see cref="RuleMatch.NeedsDatabase"/> sends the rest to SQL.
    /// </summary>
    /// <example><c>filter.Match(record.ToDictionary(), new RuleContext { Auth = caller.Auth }) == RuleMatch.Yes</c></example>
    public RuleMatch Match(IReadOnlyDictionary<string, object?> record, RuleContext context)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(context);
        return _condition.Evaluate(record, context) switch
        {
            Truth.True => RuleMatch.Yes,
            Truth.Undecided => RuleMatch.NeedsDatabase,
            _ => RuleMatch.No,
        };
    }

    public override string ToString() => Expression;
}
