using Fundament.Data;

namespace Fundament.Rules;

/// <summary>
/// A filter expression parsed and checked against one collection at one schema version. Safe to
/// cache and share between requests: it holds no request values, only where to take them from.
/// </summary>
public sealed class CompiledFilter
{
    /// <summary>Appends the filter as one parenthesised SQL boolean expression over table alias <paramref name="alias"/>.</summary>
    public void AppendTo(SqlBuilder sql, string alias, RuleContext context) => throw new NotImplementedException();
}
