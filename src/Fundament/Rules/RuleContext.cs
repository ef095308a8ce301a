using System.Text.Json;

namespace Fundament.Rules;

/// <summary>
/// What a filter or access rule may read from the request: <c>@request.auth.*</c>,
/// <c>@request.body.*</c>, <c>@request.method</c> and <c>@now</c>.
/// </summary>
public sealed class RuleContext
{
    public static readonly RuleContext Anonymous = new();

    /// <summary>The caller's record as canonical stored values by field name; null when anonymous.</summary>
    public IReadOnlyDictionary<string, object?>? Auth { get; init; }

    /// <summary>The request body (create/update rules), or null.</summary>
    public JsonElement? Body { get; init; }

    public string Method { get; init; } = "GET";

    /// <summary>The instant <c>@now</c> stands for; fixed per request.</summary>
    public DateTime Now { get; init; } = DateTime.UtcNow;
}
