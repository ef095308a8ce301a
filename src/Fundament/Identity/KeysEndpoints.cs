using System.Text.Json;
using Fundament.Data;
using Fundament.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Fundament.Identity;

/// <summary>
/// API keys for the signed-in account (shared/API.md, "Auth"): create (the secret is shown once),
/// list and revoke. Keys cannot create keys; only superusers' keys may carry <c>admin</c>.
/// </summary>
public static class KeysEndpoints
{
    public const int MaxNameLength = 100;

    public static IEndpointRouteBuilder MapKeys(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/keys").WithTags("Auth");
        keys.MapPost("/", Create).WithName("CreateApiKey");
        keys.MapGet("/", List).WithName("ListApiKeys");
        keys.MapDelete("/{id}", Revoke).WithName("RevokeApiKey");
        return app;
    }

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> Create(HttpContext http, ApiKeyStore store, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (Owner(http) is not { } owner)
        {
            return Denied(http).ToResult();
        }

        var body = await JsonBody.ReadAsync(http.Request, cancellationToken);
        if (!body.IsSuccess)
        {
            return body.Error.ToResult();
        }

        using var document = body.Value;
        var request = Parse(document.RootElement, Caller.Of(http).IsSuperuser, clock);
        if (!request.IsSuccess)
        {
            return request.Error.ToResult();
        }

        var (name, scopes, expiresAt) = request.Value;
        var (key, secret) = await store.CreateAsync(owner, name, scopes, expiresAt, cancellationToken);
        var result = JsonBytesResult.Envelope(writer => Write(writer, key, secret));
        return new JsonBytesResult(StatusCodes.Status201Created, result.Body, location: $"/api/keys/{key.Id}");
    }

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> List(HttpContext http, ApiKeyStore store, CancellationToken cancellationToken)
    {
        if (Owner(http) is not { } owner)
        {
            return Denied(http).ToResult();
        }

        var keys = await store.ListAsync(owner, cancellationToken);
        return JsonBytesResult.Envelope(writer =>
        {
            writer.WriteStartArray();
            foreach (var key in keys)
            {
                Write(writer, key, secret: null);
            }

            writer.WriteEndArray();
        });
    }

    private static async Task<Results<NoContent, ApiErrorResult>> Revoke(string id, HttpContext http, ApiKeyStore store, CancellationToken cancellationToken)
    {
        if (Owner(http) is not { } owner)
        {
            return Denied(http).ToResult();
        }

        return await store.RevokeAsync(id, owner, Caller.Of(http).IsSuperuser, cancellationToken)
            ? TypedResults.NoContent()
            : ApiError.NotFound("API key not found").ToResult();
    }

    // Keys are managed with an access token, never with another key (a leaked key cannot mint more).
    private static TokenSubject? Owner(HttpContext http) => Caller.Of(http) switch
    {
        { IsAnonymous: true } or { ApiKeyId: not null } => null,
        { Collection: { } collection, Id: { } id } => new TokenSubject(collection, id),
        _ => null,
    };

    private static ApiError Denied(HttpContext http) => Caller.Of(http).IsAnonymous
        ? ApiError.Unauthorized("Sign in to manage API keys")
        : ApiError.Forbidden("API keys cannot manage API keys; sign in with an access token");

    private static Outcome<(string Name, List<string> Scopes, DateTime? ExpiresAt)> Parse(JsonElement root, bool superuser, TimeProvider clock)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return ApiError.BadRequest("The request body must be a JSON object");
        }

        var errors = new List<ErrorDetail>();
        string? name = null;
        var scopes = new List<string>();
        DateTime? expiresAt = null;
        bool scopesGiven = false;
        foreach (var property in root.EnumerateObject())
        {
            switch (property.Name)
            {
                case "name" when property.Value.ValueKind == JsonValueKind.String && property.Value.GetString()!.Trim().Length is > 0 and <= MaxNameLength:
                    name = property.Value.GetString()!.Trim();
                    break;
                case "name":
                    errors.Add(new("name", $"must be a string of 1 to {MaxNameLength} characters"));
                    break;
                case "scopes" when property.Value.ValueKind == JsonValueKind.Array:
                    scopesGiven = true;
                    foreach (var scope in property.Value.EnumerateArray())
                    {
                        string? text = scope.ValueKind == JsonValueKind.String ? scope.GetString() : null;
                        if (text is null || !ApiKeyStore.IsValidScope(text))
                        {
                            errors.Add(new("scopes", "each scope is read, write, admin, jobs, or {collection}:read / {collection}:write"));
                        }
                        else if (!superuser && text is ApiScopes.Admin or ApiScopes.Jobs)
                        {
                            errors.Add(new("scopes", $"only superusers can create keys with the {text} scope"));
                        }
                        else if (!scopes.Contains(text))
                        {
                            scopes.Add(text);
                        }
                    }

                    break;
                case "expiresAt" when property.Value.ValueKind == JsonValueKind.Null:
                    break;
                case "expiresAt" when property.Value.ValueKind == JsonValueKind.String && Timestamps.TryParse(property.Value.GetString()!, out var at) &&
                                       at > clock.GetUtcNow().UtcDateTime:
                    expiresAt = at;
                    break;
                case "expiresAt":
                    errors.Add(new("expiresAt", "must be a date-time in the future, or null for a key that does not expire"));
                    break;
                default:
                    errors.Add(new(property.Name, "is not a known field"));
                    break;
            }
        }

        if (name is null && !errors.Exists(e => e.Field == "name"))
        {
            errors.Add(new("name", "is required"));
        }

        if (!scopesGiven || (scopes.Count == 0 && !errors.Exists(e => e.Field == "scopes")))
        {
            errors.Add(new("scopes", "must list at least one scope"));
        }

        return errors.Count > 0 ? ApiError.Validation(errors) : (name!, scopes, expiresAt);
    }

    private static void Write(Utf8JsonWriter writer, ApiKey key, string? secret)
    {
        writer.WriteStartObject();
        writer.WriteString("id", key.Id);
        writer.WriteString("name", key.Name);
        writer.WriteStartArray("scopes");
        foreach (var scope in key.Scopes)
        {
            writer.WriteStringValue(scope);
        }

        writer.WriteEndArray();
        WriteTime(writer, "expiresAt", key.ExpiresAt);
        WriteTime(writer, "lastUsedAt", key.LastUsedAt);
        WriteTime(writer, "revokedAt", key.RevokedAt);
        WriteTime(writer, "createdAt", key.CreatedAt);
        if (secret is not null)
        {
            writer.WriteString("key", secret);
        }

        writer.WriteEndObject();
    }

    private static void WriteTime(Utf8JsonWriter writer, string name, DateTime? value)
    {
        if (value is { } time)
        {
            writer.WriteString(name, Timestamps.FormatValue(time));
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
