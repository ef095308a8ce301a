using System.Text.Json;
using Fundament.Identity;
using Fundament.Identity.Tokens;

namespace Fundament.OpenApi;

/// <summary>
/// Schemas of the identity endpoints: sign-in bodies, tokens, accounts, API keys and the JWK set.
/// None ends in Record, Input or Patch, so no collection's schemas can take these names.
/// </summary>
internal static class AuthSchemas
{
    public const string LoginRequest = "LoginRequest";
    public const string SuperuserLoginRequest = "SuperuserLoginRequest";
    public const string RefreshTokenRequest = "RefreshTokenRequest";
    public const string EmailRequest = "AccountEmailRequest";
    public const string ConfirmEmailRequest = "ConfirmEmailRequest";
    public const string ConfirmPasswordResetRequest = "ConfirmPasswordResetRequest";
    public const string TokenResponse = "TokenResponse";
    public const string SuperuserTokenResponse = "SuperuserTokenResponse";
    public const string Account = "Account";
    public const string Superuser = "Superuser";
    public const string CreateApiKeyRequest = "CreateApiKeyRequest";
    public const string ApiKey = "ApiKey";
    public const string ApiKeyCreated = "ApiKeyCreated";
    public const string JwkSet = "JwkSet";
    public const string Jwk = "Jwk";

    /// <summary>The longest string the credential endpoints accept in a field.</summary>
    public const int MaxCredentialLength = 4096;

    /// <summary>A scope: read, write, admin, jobs, or {collection}:read / {collection}:write.</summary>
    public const string ScopePattern = "^(read|write|admin|jobs|[a-z][a-z0-9_]{0,62}:(read|write))$";

    public static void Write(Utf8JsonWriter writer, IReadOnlyList<CollectionApi> apis)
    {
        WriteCredentials(writer);
        WriteTokens(writer, apis);
        WriteKeys(writer);
        WriteJwks(writer);
    }

    private static void WriteCredentials(Utf8JsonWriter writer)
    {
        StartBody(writer, LoginRequest, "Signs in a user of an auth collection.", ["email", "password"]);
        WriteEmail(writer);
        WritePassword(writer, "The account's password.");
        WriteCollection(writer);
        EndBody(writer);

        StartBody(writer, SuperuserLoginRequest, "Signs in a superuser.", ["email", "password"]);
        WriteEmail(writer);
        WritePassword(writer, "The superuser's password.");
        EndBody(writer);

        StartBody(writer, RefreshTokenRequest, "A refresh token from a sign-in or an earlier refresh.", ["refreshToken"]);
        WriteText(writer, "refreshToken", "Single-use: a refresh answers with a new one.");
        EndBody(writer);

        StartBody(writer, EmailRequest, "Asks for an email (verification or password reset) to be sent to an account.", ["email"]);
        WriteEmail(writer);
        WriteCollection(writer);
        EndBody(writer);

        StartBody(writer, ConfirmEmailRequest, "The token from the verification email.", ["token"]);
        WriteText(writer, "token", "Single-use; expires after 24 hours.");
        EndBody(writer);

        StartBody(writer, ConfirmPasswordResetRequest, "The token from the password reset email, and the new password.", ["token", "password"]);
        WriteText(writer, "token", "Single-use; expires after 1 hour.");
        WritePassword(writer, "The new password; it must satisfy the collection's password field. Every refresh token of the account is revoked.");
        EndBody(writer);
    }

    private static void WriteTokens(Utf8JsonWriter writer, IReadOnlyList<CollectionApi> apis)
    {
        writer.WriteStartObject(TokenResponse);
        writer.WriteString("type", "object");
        writer.WriteString("description", "A signed-in session: a short-lived access token and a single-use refresh token.");
        writer.WriteStrings("required", ["accessToken", "refreshToken", "tokenType", "expiresIn", "user"]);
        writer.WriteStartObject("properties");
        WriteText(writer, "accessToken", $"A JWT ({SigningKey.Algorithm}); send it as `Authorization: Bearer <accessToken>`. Verify it with /.well-known/jwks.json.",
            request: false);
        WriteText(writer, "refreshToken", "Trade it for a new token pair at POST /api/auth/refresh; it works once.", request: false);
        writer.WriteStartObject("tokenType");
        writer.WriteString("type", "string");
        writer.WriteString("const", "Bearer");
        writer.WriteEndObject();
        writer.WriteStartObject("expiresIn");
        writer.WriteString("type", "integer");
        writer.WriteNumber("minimum", 1);
        writer.WriteString("description", "Seconds until the access token expires.");
        writer.WriteEndObject();
        writer.WriteSchemaRef("user", Account);
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteStartObject(SuperuserTokenResponse);
        writer.WriteString("description", "A TokenResponse whose user is a superuser.");
        writer.WriteStartArray("allOf");
        writer.WriteRefValue("schemas", TokenResponse);
        writer.WriteStartObject();
        writer.WriteStartObject("properties");
        writer.WriteSchemaRef("user", Superuser);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteEndObject();

        writer.WriteStartObject(Account);
        writer.WriteString("type", "object");
        writer.WriteString("description", "The signed-in account: a record of an auth collection (password left out), or a superuser.");
        writer.WriteStartArray("anyOf");
        foreach (var api in apis.Where(api => api.Collection.IsAuth))
        {
            writer.WriteRefValue("schemas", api.RecordSchema);
        }

        writer.WriteRefValue("schemas", Superuser);
        writer.WriteEndArray();
        writer.WriteEndObject();

        writer.WriteStartObject(Superuser);
        writer.WriteString("type", "object");
        writer.WriteString("description", "A superuser account. Superusers pass every access rule.");
        writer.WriteStrings("required", ["id", "email", "created_at", "superuser"]);
        writer.WriteStartObject("properties");
        writer.WriteStringSchema("id", format: "uuid");
        writer.WriteStringSchema("email", format: "email");
        writer.WriteStringSchema("created_at", format: "date-time");
        writer.WriteStartObject("superuser");
        writer.WriteString("type", "boolean");
        writer.WriteBoolean("const", true);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteKeys(Utf8JsonWriter writer)
    {
        StartBody(writer, CreateApiKeyRequest, "A new API key for the signed-in account.", ["name", "scopes"],
            example: """[{"name": "CI deploys", "scopes": ["posts:read", "posts:write"], "expiresAt": null}]""");
        writer.WriteStartObject("name");
        writer.WriteString("type", "string");
        writer.WriteNumber("minLength", 1);
        writer.WriteNumber("maxLength", KeysEndpoints.MaxNameLength);
        writer.WriteString("description", "For people; surrounding white space is trimmed.");
        writer.WriteEndObject();
        WriteScopes(writer, request: true);
        writer.WriteStringSchema("expiresAt", format: "date-time", description: "A moment in the future, or null (or absent) for a key that does not expire.",
            nullable: true);
        EndBody(writer);

        writer.WriteStartObject(ApiKey);
        writer.WriteString("type", "object");
        writer.WriteString("description", "An API key, without its secret. Send the secret as `Authorization: Bearer fk_…` or `X-Api-Key: fk_…`.");
        writer.WriteStrings("required", ["id", "name", "scopes", "expiresAt", "lastUsedAt", "revokedAt", "createdAt"]);
        writer.WriteStartObject("properties");
        writer.WriteStringSchema("id", format: "uuid");
        writer.WriteSimpleSchema("name", "string");
        WriteScopes(writer, request: false);
        writer.WriteStringSchema("expiresAt", format: "date-time", description: "null: the key does not expire.", nullable: true);
        writer.WriteStringSchema("lastUsedAt", format: "date-time", description: "null: never used.", nullable: true);
        writer.WriteStringSchema("revokedAt", format: "date-time", description: "null: not revoked.", nullable: true);
        writer.WriteStringSchema("createdAt", format: "date-time");
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteStartObject(ApiKeyCreated);
        writer.WriteString("description", "A new API key with its secret, which is shown this once and cannot be retrieved again.");
        writer.WriteStartArray("allOf");
        writer.WriteRefValue("schemas", ApiKey);
        writer.WriteStartObject();
        writer.WriteString("type", "object");
        writer.WriteStrings("required", ["key"]);
        writer.WriteStartObject("properties");
        writer.WriteStartObject("key");
        writer.WriteString("type", "string");
        writer.WriteString("pattern", "^" + ApiKeyStore.Prefix);
        writer.WriteString("description", "The secret. Store it now: only a hash is kept.");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteScopes(Utf8JsonWriter writer, bool request)
    {
        writer.WriteStartObject("scopes");
        writer.WriteString("type", "array");
        writer.WriteNumber("minItems", 1);
        writer.WriteString("description", request
            ? "read, write, admin and jobs (superusers only), or {collection}:read / {collection}:write. Duplicates are dropped. A key never grants more than its owner has."
            : "What the key may do, within its owner's rights.");
        writer.WriteStartObject("items");
        writer.WriteString("type", "string");
        writer.WriteString("pattern", ScopePattern);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteJwks(Utf8JsonWriter writer)
    {
        writer.WriteStartObject(JwkSet);
        writer.WriteString("type", "object");
        writer.WriteString("description", "A JSON Web Key Set (RFC 7517): the public keys access tokens are signed with, including keys being retired.");
        writer.WriteStrings("required", ["keys"]);
        writer.WriteStartObject("properties");
        writer.WriteStartObject("keys");
        writer.WriteString("type", "array");
        writer.WriteSchemaRef("items", Jwk);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteStartObject(Jwk);
        writer.WriteString("type", "object");
        writer.WriteString("description", "An elliptic-curve public key; match an access token's kid header to choose it.");
        writer.WriteStrings("required", ["kty", "crv", "x", "y", "kid", "alg", "use"]);
        writer.WriteStartObject("properties");
        WriteConst(writer, "kty", "EC");
        WriteConst(writer, "crv", SigningKey.Curve);
        WriteText(writer, "x", "The x coordinate, base64url.", request: false);
        WriteText(writer, "y", "The y coordinate, base64url.", request: false);
        WriteText(writer, "kid", "The key id.", request: false);
        WriteConst(writer, "alg", SigningKey.Algorithm);
        WriteConst(writer, "use", "sig");
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Starts a request body schema that refuses unknown fields, up to and including its <c>properties</c> object.</summary>
    private static void StartBody(Utf8JsonWriter writer, string name, string description, string[] required, string? example = null)
    {
        writer.WriteStartObject(name);
        writer.WriteString("type", "object");
        writer.WriteString("description", description);
        writer.WriteBoolean("additionalProperties", false);
        writer.WriteStrings("required", required);
        if (example is not null)
        {
            writer.WritePropertyName("examples");
            writer.WriteRawValue(example);
        }

        writer.WriteStartObject("properties");
    }

    private static void EndBody(Utf8JsonWriter writer)
    {
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteEmail(Utf8JsonWriter writer) =>
        WriteText(writer, "email", "Matched without regard to case or surrounding white space.", format: "email");

    private static void WritePassword(Utf8JsonWriter writer, string description)
    {
        writer.WriteStartObject("password");
        writer.WriteString("type", "string");
        writer.WriteString("format", "password");
        writer.WriteBoolean("writeOnly", true);
        writer.WriteNumber("minLength", 1);
        writer.WriteNumber("maxLength", MaxCredentialLength);
        writer.WriteString("description", description);
        writer.WriteEndObject();
    }

    private static void WriteCollection(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("collection");
        writer.WriteString("type", "string");
        writer.WriteNumber("minLength", 1);
        writer.WriteString("default", AuthEndpoints.DefaultAuthCollection);
        writer.WriteString("description", "The auth collection the account belongs to.");
        writer.WriteEndObject();
    }

    /// <summary>A non-empty string; in request bodies, at most <see cref="MaxCredentialLength"/> characters, like the endpoints check.</summary>
    private static void WriteText(Utf8JsonWriter writer, string property, string description, string? format = null, bool request = true)
    {
        writer.WriteStartObject(property);
        writer.WriteString("type", "string");
        if (format is not null)
        {
            writer.WriteString("format", format);
        }

        writer.WriteNumber("minLength", 1);
        if (request)
        {
            writer.WriteNumber("maxLength", MaxCredentialLength);
        }

        writer.WriteString("description", description);
        writer.WriteEndObject();
    }

    private static void WriteConst(Utf8JsonWriter writer, string property, string value)
    {
        writer.WriteStartObject(property);
        writer.WriteString("type", "string");
        writer.WriteString("const", value);
        writer.WriteEndObject();
    }
}
