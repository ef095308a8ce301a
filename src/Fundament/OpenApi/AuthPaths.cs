using System.Text.Json;

namespace Fundament.OpenApi;

/// <summary>
/// The identity paths: sign-in, tokens, email verification, password reset, API keys and the JWK set. Operation ids are
/// the routes' names (<c>WithName</c>) in camelCase.
/// </summary>
internal static class AuthPaths
{
    public const string AuthTag = "Auth";

    private const string Limited = "Rate limited per client; failed sign-ins also lock the account out for a while (429 with Retry-After).";

    /// <summary>Who may call an operation, beyond the document's default (credentials optional).</summary>
    private enum Access
    {
        /// <summary>Credentials optional, as everywhere.</summary>
        Default,

        /// <summary>No credentials needed (the empty security array).</summary>
        Anonymous,

        /// <summary>An access token or an API key.</summary>
        Account,

        /// <summary>An access token only: API keys cannot manage API keys.</summary>
        AccessToken,
    }

    public static void Write(Utf8JsonWriter writer)
    {
        WriteSignIn(writer);
        WriteAccount(writer);
        WriteKeys(writer);

        writer.WriteStartObject("/.well-known/jwks.json");
        StartOperation(writer, "get", "jwks", "The public keys of access tokens",
            "A JSON Web Key Set to verify access tokens (ES256) without calling the server. Not wrapped in the envelope; keys rotate, so refetch on an unknown kid.",
            Access.Anonymous);
        writer.WriteStartObject("responses");
        writer.WriteStartObject("200");
        writer.WriteString("description", "The JWK set.");
        writer.WriteStartObject("content");
        writer.WriteStartObject(OpenApiJson.Json);
        writer.WriteSchemaRef("schema", AuthSchemas.JwkSet);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteSignIn(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("/api/auth/login");
        StartOperation(writer, "post", "login", "Sign in a user",
            "Email and password of an account in an auth collection (`users` unless `collection` says otherwise). " + Limited);
        writer.WriteRequestBody(AuthSchemas.LoginRequest);
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "Signed in.", OpenApiJson.Ref(AuthSchemas.TokenResponse), headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(400, 401, 413, 415, 422, 429);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteStartObject("/api/admin/auth/login");
        StartOperation(writer, "post", "superuserLogin", "Sign in a superuser", "Email and password of a superuser. " + Limited);
        writer.WriteRequestBody(AuthSchemas.SuperuserLoginRequest);
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "Signed in; user is the superuser.", OpenApiJson.Ref(AuthSchemas.SuperuserTokenResponse), headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(400, 401, 413, 415, 422, 429);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteStartObject("/api/auth/refresh");
        StartOperation(writer, "post", "refreshToken", "Trade a refresh token for a new token pair",
            "Refresh tokens are single-use: the answer carries a new one. Presenting a token that was already used is a 401 and revokes " +
            "every token of that sign-in (it may have been stolen).");
        writer.WriteRequestBody(AuthSchemas.RefreshTokenRequest);
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "A new access token and refresh token.", OpenApiJson.Ref(AuthSchemas.TokenResponse), headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(400, 401, 413, 415, 422, 429);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteStartObject("/api/auth/logout");
        StartOperation(writer, "post", "logout", "Sign out",
            "Revokes the refresh token. Answers 204 whether or not the token was valid. Access tokens stay valid until they expire.");
        writer.WriteRequestBody(AuthSchemas.RefreshTokenRequest);
        writer.WriteStartObject("responses");
        writer.WriteNoContent("Signed out.");
        writer.WriteErrorResponses(400, 413, 415, 422, 429);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteStartObject("/api/auth/me");
        StartOperation(writer, "get", "me", "The signed-in account",
            "The user record (without its password) or the superuser behind the access token or API key.", Access.Account);
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "The account.", OpenApiJson.Ref(AuthSchemas.Account), headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(401, 429);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteAccount(Utf8JsonWriter writer)
    {
        const string silent = "Answers 204 whether or not the email belongs to an account, so it reveals nothing.";
        WriteRequest(writer, "/api/auth/verify-email", "requestEmailVerification", "Send an email verification token",
            $"Emails a single-use token, valid for 24 hours, to an account that is not verified yet. {silent}");
        WriteConfirm(writer, "/api/auth/confirm-email", "confirmEmail", "Verify an email address", AuthSchemas.ConfirmEmailRequest,
            "Spends the token from the verification email and marks the account verified.", "Verified.");
        WriteRequest(writer, "/api/auth/request-password-reset", "requestPasswordReset", "Send a password reset token",
            $"Emails a single-use token, valid for 1 hour. {silent}");
        WriteConfirm(writer, "/api/auth/confirm-password-reset", "confirmPasswordReset", "Set a new password", AuthSchemas.ConfirmPasswordResetRequest,
            "Spends the token from the reset email, sets the password and signs the account out everywhere (its refresh tokens are revoked).",
            "Password changed.");
    }

    private static void WriteRequest(Utf8JsonWriter writer, string path, string operationId, string summary, string description)
    {
        writer.WriteStartObject(path);
        StartOperation(writer, "post", operationId, summary, description);
        writer.WriteRequestBody(AuthSchemas.EmailRequest);
        writer.WriteStartObject("responses");
        writer.WriteNoContent("Accepted; an email is sent if the account exists.");
        writer.WriteErrorResponses(400, 413, 415, 422, 429);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteConfirm(Utf8JsonWriter writer, string path, string operationId, string summary, string body, string description, string done)
    {
        writer.WriteStartObject(path);
        StartOperation(writer, "post", operationId, summary, description + " An invalid, expired or already used token is a 400 naming the token field.");
        writer.WriteRequestBody(body);
        writer.WriteStartObject("responses");
        writer.WriteNoContent(done);
        writer.WriteErrorResponses(400, 413, 415, 422, 429);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteKeys(Utf8JsonWriter writer)
    {
        const string tokenOnly = "Needs an access token: API keys cannot manage API keys (403).";
        writer.WriteStartObject("/api/keys");
        StartOperation(writer, "post", "createApiKey", "Create an API key",
            $"A key for the signed-in account, narrowed to its scopes; only superusers may grant admin. The secret is in the answer once and never again. {tokenOnly}",
            Access.AccessToken);
        writer.WriteRequestBody(AuthSchemas.CreateApiKeyRequest);
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(201, "The key and its secret.", OpenApiJson.Ref(AuthSchemas.ApiKeyCreated), headers: ["Location", "X-Request-Id"]);
        writer.WriteErrorResponses(400, 401, 403, 413, 415, 422);
        writer.WriteEndObject();
        writer.WriteEndObject();
        StartOperation(writer, "get", "listApiKeys", "List API keys", $"The signed-in account's keys, revoked ones included, without their secrets. {tokenOnly}",
            Access.AccessToken);
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "The keys.", SystemPaths.ArrayOf(AuthSchemas.ApiKey), headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(401, 403);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteStartObject("/api/keys/{id}");
        writer.WriteStartArray("parameters");
        writer.WriteStartObject();
        writer.WriteString("name", "id");
        writer.WriteString("in", "path");
        writer.WriteString("description", "The key's id.");
        writer.WriteBoolean("required", true);
        writer.WriteStartObject("schema");
        writer.WriteString("type", "string");
        writer.WriteString("format", "uuid");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndArray();
        StartOperation(writer, "delete", "revokeApiKey", "Revoke an API key",
            $"The key stops working at once. Superusers may revoke anyone's key, others only their own: an unknown, someone else's " +
            $"or an already revoked key is a 404. {tokenOnly}", Access.AccessToken);
        writer.WriteStartObject("responses");
        writer.WriteNoContent("Revoked.");
        writer.WriteErrorResponses(401, 403, 404);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void StartOperation(Utf8JsonWriter writer, string method, string operationId, string summary, string description, Access access = Access.Default)
    {
        writer.WriteStartObject(method);
        writer.WriteString("operationId", operationId);
        writer.WriteStrings("tags", [AuthTag]);
        writer.WriteString("summary", summary);
        writer.WriteString("description", description);
        switch (access)
        {
            case Access.Anonymous:
                writer.WriteStartArray("security");
                writer.WriteEndArray();
                break;
            case Access.Account:
                OpenApiDocument.WriteSuperuserSecurity(writer);
                break;
            case Access.AccessToken:
                writer.WriteStartArray("security");
                writer.WriteStartObject();
                writer.WriteStartArray(OpenApiComponents.Bearer);
                writer.WriteEndArray();
                writer.WriteEndObject();
                writer.WriteEndArray();
                break;
        }
    }
}
