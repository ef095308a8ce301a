using Fundament.Rules;

namespace Fundament.Identity;

/// <summary>
/// Who is making a request. Superusers pass every access rule; everyone else is held to the
/// collection's rules, which see <see cref="RuleContext.Auth"/>.
/// </summary>
public sealed record Caller(bool IsSuperuser, IReadOnlyDictionary<string, object?>? Auth)
{
    public static readonly Caller Anonymous = new(false, null);
    public static readonly Caller Superuser = new(true, null);

    public bool IsAnonymous => !IsSuperuser && Auth is null;

    /// <summary>A stable identity for scoping per-caller state such as idempotency keys.</summary>
    public string Scope => IsSuperuser ? "superuser" : Auth?.GetValueOrDefault("id") as string ?? "anonymous";
}
