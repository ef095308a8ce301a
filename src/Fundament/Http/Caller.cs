using Microsoft.AspNetCore.Http;

namespace Fundament.Http;

/// <summary>The scopes an API key can carry.</summary>
public static class ApiScopes
{
    public const string Read = "read";
    public const string Write = "write";
    public const string Admin = "admin";

    /// <summary>Jobs, schedules and webhooks; only superusers' keys can carry it.</summary>
    public const string Jobs = "jobs";
}

public enum CallerKind
{
    Anonymous,
    Superuser,
    User,
    ApiKey,
}

/// <summary>
/// Who is making a request, as authentication resolved it. Superusers pass every access rule;
/// everyone else is held to the collection's rules, which read <see cref="Auth"/> as <c>@request.auth.*</c>.
/// </summary>
public sealed record Caller
{
    private static readonly object ItemKey = new();

    public static readonly Caller Anonymous = new() { Kind = CallerKind.Anonymous };

    /// <summary>The server itself (seeding, migrations): a superuser without an account.</summary>
    public static readonly Caller System = new() { Kind = CallerKind.Superuser, Id = "system" };

    public CallerKind Kind { get; init; }

    /// <summary>The superuser's, user's or API key's id.</summary>
    public string? Id { get; init; }

    /// <summary>For users: the auth collection they belong to.</summary>
    public string? Collection { get; init; }

    /// <summary>For users: their record's fields by name (canonical stored values).</summary>
    public IReadOnlyDictionary<string, object?>? Auth { get; init; }

    /// <summary>Set when the caller authenticated with an API key: the key's id.</summary>
    public string? ApiKeyId { get; init; }

    /// <summary>What an API key may do; null (access tokens) means everything the account may do.</summary>
    public IReadOnlySet<string>? Scopes { get; init; }

    public bool IsSuperuser => Kind == CallerKind.Superuser;

    /// <summary>
    /// True when the caller's scopes allow reading (or writing) records of <paramref name="collection"/>:
    /// <c>read</c>/<c>write</c> for every collection, <c>{collection}:read</c>/<c>{collection}:write</c> for one,
    /// <c>admin</c> for everything.
    /// </summary>
    public bool Allows(string collection, bool write)
    {
        if (Scopes is null || Scopes.Contains(ApiScopes.Admin))
        {
            return true;
        }

        string action = write ? ApiScopes.Write : ApiScopes.Read;
        return Scopes.Contains(action) || Scopes.Contains(collection + ":" + action);
    }

    /// <summary>True for superusers signed in with a token, and for their API keys with the <c>admin</c> scope.</summary>
    public bool CanManageSchema => IsSuperuser && (Scopes is null || Scopes.Contains(ApiScopes.Admin));

    /// <summary>True for superusers signed in with a token, and for their API keys with the <c>admin</c> or <c>jobs</c> scope.</summary>
    public bool CanManageJobs => IsSuperuser && (Scopes is null || Scopes.Contains(ApiScopes.Admin) || Scopes.Contains(ApiScopes.Jobs));

    public bool IsAnonymous => Kind == CallerKind.Anonymous;

    /// <summary>A stable identity for scoping per-caller state such as idempotency keys.</summary>
    public string Scope => Kind == CallerKind.Anonymous ? "anonymous" : $"{Kind}:{Collection}:{Id}";

    /// <summary>The caller authentication attached to this request (anonymous when none did).</summary>
    public static Caller Of(HttpContext context) =>
        context.Items.TryGetValue(ItemKey, out var caller) && caller is Caller found ? found : Anonymous;

    public void AttachTo(HttpContext context) => context.Items[ItemKey] = this;
}
