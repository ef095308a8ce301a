using System.Net;
using System.Text.Json;
using Fundament.Http;
using Fundament.Tests.Testing;
using static Fundament.Tests.OpenApi.OpenApiAssert;

namespace Fundament.Tests.OpenApi;

/// <summary>The identity routes in /openapi.json: sign-in, tokens, account emails, API keys and the JWK set.</summary>
public sealed class IdentityDocumentTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async ValueTask InitializeAsync() => _app = await TestApp.StartAsync(DbKind.Sqlite);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("/api/auth/login", "post", "login", "LoginRequest", "200 400 401 413 415 422 429")]
    [InlineData("/api/admin/auth/login", "post", "superuserLogin", "SuperuserLoginRequest", "200 400 401 413 415 422 429")]
    [InlineData("/api/auth/refresh", "post", "refreshToken", "RefreshTokenRequest", "200 400 401 413 415 422 429")]
    [InlineData("/api/auth/logout", "post", "logout", "RefreshTokenRequest", "204 400 413 415 422 429")]
    [InlineData("/api/auth/me", "get", "me", null, "200 401 429")]
    [InlineData("/api/auth/verify-email", "post", "requestEmailVerification", "AccountEmailRequest", "204 400 413 415 422 429")]
    [InlineData("/api/auth/confirm-email", "post", "confirmEmail", "ConfirmEmailRequest", "204 400 413 415 422 429")]
    [InlineData("/api/auth/request-password-reset", "post", "requestPasswordReset", "AccountEmailRequest", "204 400 413 415 422 429")]
    [InlineData("/api/auth/confirm-password-reset", "post", "confirmPasswordReset", "ConfirmPasswordResetRequest", "204 400 413 415 422 429")]
    [InlineData("/api/keys", "post", "createApiKey", "CreateApiKeyRequest", "201 400 401 403 413 415 422")]
    [InlineData("/api/keys", "get", "listApiKeys", null, "200 401 403")]
    [InlineData("/api/keys/{id}", "delete", "revokeApiKey", null, "204 401 403 404")]
    [InlineData("/.well-known/jwks.json", "get", "jwks", null, "200")]
    public async Task Identity_routes_are_documented_with_their_status_codes(string path, string method, string operationId, string? body, string statuses)
    {
        var doc = await GetDocumentAsync(_app);
        Assert.True(doc.GetProperty("paths").TryGetProperty(path, out var item), $"missing {path}");
        Assert.True(item.TryGetProperty(method, out var operation), $"missing {method} {path}");
        Assert.Equal(operationId, operation.GetProperty("operationId").GetString());
        Assert.Equal(["Auth"], Strings(operation.GetProperty("tags")));
        Assert.Equal(statuses.Split(' ').Order(), operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order());
        if (body is null)
        {
            Assert.False(operation.TryGetProperty("requestBody", out _));
        }
        else
        {
            Assert.Equal($"#/components/schemas/{body}",
                operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        }

        var responses = operation.GetProperty("responses");
        foreach (var error in responses.EnumerateObject().Where(r => r.Name.StartsWith('4')))
        {
            Assert.Equal($"#/components/responses/{ErrorCodes.ForStatus(int.Parse(error.Name, System.Globalization.CultureInfo.InvariantCulture))}",
                error.Value.GetProperty("$ref").GetString());
        }

        var success = responses.EnumerateObject().First(r => r.Name.StartsWith('2'));
        if (success.Name != "204")
        {
            var schema = success.Value.GetProperty("content").GetProperty("application/json").GetProperty("schema");
            bool envelope = path.StartsWith("/api/", StringComparison.Ordinal);
            Assert.Equal(envelope, schema.TryGetProperty("properties", out var properties) && properties.TryGetProperty("success", out _));
        }
    }

    [Fact]
    public async Task Identity_operations_say_which_credentials_they_need()
    {
        var doc = await GetDocumentAsync(_app);
        var paths = doc.GetProperty("paths");

        foreach (var (path, method) in (ValueTuple<string, string>[])[("/api/keys", "post"), ("/api/keys", "get"), ("/api/keys/{id}", "delete")])
        {
            var security = paths.GetProperty(path).GetProperty(method).GetProperty("security");
            Assert.Equal(1, security.GetArrayLength());
            Assert.Equal(["bearer"], security[0].EnumerateObject().Select(s => s.Name));
            Assert.Contains("API keys cannot manage API keys", paths.GetProperty(path).GetProperty(method).GetProperty("description").GetString());
        }

        var me = paths.GetProperty("/api/auth/me").GetProperty("get").GetProperty("security");
        Assert.All(me.EnumerateArray(), requirement => Assert.NotEmpty(requirement.EnumerateObject()));
        Assert.Equal(0, paths.GetProperty("/.well-known/jwks.json").GetProperty("get").GetProperty("security").GetArrayLength());
        Assert.False(paths.GetProperty("/api/auth/login").GetProperty("post").TryGetProperty("security", out _), "signing in needs no credentials");

        var schemes = doc.GetProperty("components").GetProperty("securitySchemes");
        string bearer = schemes.GetProperty("bearer").GetProperty("description").GetString()!;
        Assert.Contains("access token (JWT)", bearer);
        Assert.Contains("API key (`fk_…`)", bearer);
        Assert.DoesNotContain("superuser key", bearer);
        Assert.Equal("header", schemes.GetProperty("apiKey").GetProperty("in").GetString());
        Assert.Contains(doc.GetProperty("tags").EnumerateArray(), tag => tag.GetProperty("name").GetString() == "Auth");
    }

    [Fact]
    public async Task Identity_schemas_match_what_the_endpoints_return()
    {
        var doc = await GetDocumentAsync(_app);
        var schemas = doc.GetProperty("components").GetProperty("schemas");

        var token = schemas.GetProperty("TokenResponse");
        Assert.Equal(["accessToken", "refreshToken", "tokenType", "expiresIn", "user"], Strings(token.GetProperty("required")));
        Assert.Equal("Bearer", token.GetProperty("properties").GetProperty("tokenType").GetProperty("const").GetString());
        Assert.Equal("integer", token.GetProperty("properties").GetProperty("expiresIn").GetProperty("type").GetString());
        var account = schemas.GetProperty("Account").GetProperty("anyOf").EnumerateArray().Select(a => a.GetProperty("$ref").GetString()).ToList();
        Assert.Contains("#/components/schemas/UsersRecord", account);
        Assert.Contains("#/components/schemas/Superuser", account);

        using (var login = await _app.Anonymous.PostAsync("/api/admin/auth/login",
            TestApp.JsonContent($$"""{"email":"{{TestApp.SuperuserEmail}}","password":"{{TestApp.SuperuserPassword}}"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            var data = (await login.ReadJsonAsync()).GetProperty("data");
            Documented(doc, data, "TokenResponse");
            Assert.Equal(JsonValueKind.Number, data.GetProperty("expiresIn").ValueKind);
            Documented(doc, data.GetProperty("user"), "Superuser");
        }

        var apiKey = schemas.GetProperty("ApiKey");
        Assert.Equal(["string", "null"], Strings(apiKey.GetProperty("properties").GetProperty("revokedAt").GetProperty("type")));
        Assert.Equal("string", apiKey.GetProperty("properties").GetProperty("createdAt").GetProperty("type").GetString());
        var request = schemas.GetProperty("CreateApiKeyRequest").GetProperty("properties");
        Assert.Equal(100, request.GetProperty("name").GetProperty("maxLength").GetInt32());
        Assert.Equal(1, request.GetProperty("scopes").GetProperty("minItems").GetInt32());
        var scopePattern = new System.Text.RegularExpressions.Regex(request.GetProperty("scopes").GetProperty("items").GetProperty("pattern").GetString()!);
        Assert.All((string[])["read", "write", "admin", "posts:read", "blog_posts:write"], scope => Assert.Matches(scopePattern, scope));
        Assert.All((string[])["delete", "posts:admin", "Posts:read", ""], scope => Assert.DoesNotMatch(scopePattern, scope));
        var created = schemas.GetProperty("ApiKeyCreated").GetProperty("allOf");
        Assert.Equal("#/components/schemas/ApiKey", created[0].GetProperty("$ref").GetString());
        var secret = created[1].GetProperty("properties").GetProperty("key");
        Assert.Equal("^fk_", secret.GetProperty("pattern").GetString());

        var key = (await _app.Admin.PostAsync("/api/keys", TestApp.JsonContent("""{"name":"docs","scopes":["read"]}""")).ShouldBe(HttpStatusCode.Created)).GetProperty("data");
        Assert.Matches(secret.GetProperty("pattern").GetString()!, key.GetProperty("key").GetString());
        foreach (var property in key.EnumerateObject().Where(p => p.Name != "key"))
        {
            Assert.True(apiKey.GetProperty("properties").TryGetProperty(property.Name, out _), $"ApiKey lacks {property.Name}");
        }

        var listed = (await _app.Admin.GetAsync("/api/keys").ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        Documented(doc, listed[0], "ApiKey");

        using var jwks = await _app.Anonymous.GetAsync("/.well-known/jwks.json");
        Assert.Equal(HttpStatusCode.OK, jwks.StatusCode);
        var set = await jwks.ReadJsonAsync();
        Assert.False(set.TryGetProperty("success", out _), "the JWK set is not wrapped in the envelope");
        var jwk = schemas.GetProperty("Jwk");
        Documented(doc, set.GetProperty("keys")[0], "Jwk");
        Assert.Equal(set.GetProperty("keys")[0].GetProperty("alg").GetString(), jwk.GetProperty("properties").GetProperty("alg").GetProperty("const").GetString());
        Assert.Equal(set.GetProperty("keys")[0].GetProperty("crv").GetString(), jwk.GetProperty("properties").GetProperty("crv").GetProperty("const").GetString());
    }
}
