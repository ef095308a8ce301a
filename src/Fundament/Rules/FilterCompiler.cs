using Fundament.Collections;
using Fundament.Http;

namespace Fundament.Rules;

/// <summary>Parses filter expressions (shared/API.md, "Filter language") and checks them against a collection.</summary>
public static class FilterCompiler
{
    /// <summary>
    /// Parses and checks <paramref name="expression"/>. Errors are 400 BAD_REQUEST with the position of the problem.
    /// </summary>
    public static Outcome<CompiledFilter> Compile(string expression, Collection collection, SchemaSnapshot schema) =>
        throw new NotImplementedException();
}
