using System.Buffers;
using System.Text.Json;
using Fundament.Collections;
using Fundament.Data;
using Fundament.Http;
using Fundament.Identity.Tokens;
using Fundament.Records;
using Fundament.Toolkit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Fundament.Identity;

/// <summary>Sign-in, token rotation and sign-out (shared/API.md, "Auth" and "Superusers").</summary>
public static class AuthEndpoints
{
    public const string DefaultAuthCollection = "users";

    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Auth").RequireRateLimiting(AuthRateLimits.Policy);
        auth.MapPost("/login", Login).WithName("Login");
        auth.MapPost("/refresh", Refresh).WithName("RefreshToken");
        auth.MapPost("/logout", Logout).WithName("Logout");
        auth.MapGet("/me", Me).WithName("Me");
        app.MapPost("/api/admin/auth/login", SuperuserLogin).WithName("SuperuserLogin").WithTags("Auth").RequireRateLimiting(AuthRateLimits.Policy);
        app.MapGet("/.well-known/jwks.json", Jwks).WithName("Jwks").WithTags("Auth");
        return app;
    }

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> Login(HttpContext http, IdentityServices identity, CancellationToken cancellationToken)
    {
        var input = await CredentialBody.ReadAsync(http, cancellationToken, ["email", "password"], ["collection"]);
        if (!input.IsSuccess)
        {
            return input.Error.ToResult();
        }

        string collectionName = input.Value.GetValueOrDefault("collection") ?? DefaultAuthCollection;
        if (identity.Schemas.Current.Find(collectionName) is not { IsAuth: true } collection)
        {
            return ApiError.Validation("collection", $"'{collectionName}' is not an auth collection").ToResult();
        }

        string account = collection.Name + ":" + input.Value["email"];
        if (identity.Limits.Lockout(account) is { } wait)
        {
            return AuthRateLimits.TooMany(http, wait).ToResult();
        }

        var record = await identity.VerifyUserAsync(collection, input.Value["email"]!, input.Value["password"]!, cancellationToken);
        if (record is null)
        {
            identity.Limits.Failed(account);
            return ApiError.Unauthorized("Invalid email or password").ToResult();
        }

        identity.Limits.Succeeded(account);
        return await identity.SignInAsync(new TokenSubject(collection.Name, record.Id), writer => RecordJson.Write(writer, record), cancellationToken);
    }

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> SuperuserLogin(HttpContext http, IdentityServices identity, CancellationToken cancellationToken)
    {
        var input = await CredentialBody.ReadAsync(http, cancellationToken, ["email", "password"], []);
        if (!input.IsSuccess)
        {
            return input.Error.ToResult();
        }

        string account = IdentityTables.SuperusersCollection + ":" + input.Value["email"];
        if (identity.Limits.Lockout(account) is { } wait)
        {
            return AuthRateLimits.TooMany(http, wait).ToResult();
        }

        var superuser = await identity.Superusers.VerifyAsync(input.Value["email"]!, input.Value["password"]!, cancellationToken);
        if (superuser is null)
        {
            identity.Limits.Failed(account);
            return ApiError.Unauthorized("Invalid email or password").ToResult();
        }

        identity.Limits.Succeeded(account);
        return await identity.SignInAsync(new TokenSubject(IdentityTables.SuperusersCollection, superuser.Id), writer => WriteSuperuser(writer, superuser), cancellationToken);
    }

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> Refresh(HttpContext http, IdentityServices identity, CancellationToken cancellationToken)
    {
        var input = await CredentialBody.ReadAsync(http, cancellationToken, ["refreshToken"], []);
        if (!input.IsSuccess)
        {
            return input.Error.ToResult();
        }

        var (result, subject, next) = await identity.RefreshTokens.RotateAsync(input.Value["refreshToken"]!, cancellationToken);
        if (result != RefreshTokens.Result.Rotated || subject is null || next is null)
        {
            return ApiError.Unauthorized(result == RefreshTokens.Result.Reused
                ? "The refresh token was already used; every token of this sign-in has been revoked"
                : "The refresh token is invalid or has expired").ToResult();
        }

        var account = await identity.Accounts.FindAsync(subject, cancellationToken);
        return account is null
            ? ApiError.Unauthorized("The account no longer exists").ToResult()
            : identity.TokenResponse(subject, next, account.Write);
    }

    private static async Task<Results<NoContent, ApiErrorResult>> Logout(HttpContext http, IdentityServices identity, CancellationToken cancellationToken)
    {
        var input = await CredentialBody.ReadAsync(http, cancellationToken, ["refreshToken"], []);
        if (!input.IsSuccess)
        {
            return input.Error.ToResult();
        }

        await identity.RefreshTokens.RevokeAsync(input.Value["refreshToken"]!, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> Me(HttpContext http, IdentityServices identity, CancellationToken cancellationToken)
    {
        var caller = Caller.Of(http);
        if (caller.IsAnonymous || caller.Id is null || caller.Collection is null)
        {
            return ApiError.Unauthorized().ToResult();
        }

        var account = await identity.Accounts.FindAsync(new TokenSubject(caller.Collection, caller.Id), cancellationToken);
        return account is null ? ApiError.Unauthorized().ToResult() : JsonBytesResult.Envelope(account.Write);
    }

    private static JsonBytesResult Jwks(SigningKeyStore keys)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            keys.WriteJwks(writer);
        }

        return new JsonBytesResult(StatusCodes.Status200OK, buffer.WrittenMemory);
    }

    internal static void WriteSuperuser(Utf8JsonWriter writer, Superuser superuser)
    {
        writer.WriteStartObject();
        writer.WriteString("id", superuser.Id);
        writer.WriteString("email", superuser.Email);
        writer.WriteString("created_at", Timestamps.FormatValue(superuser.CreatedAt));
        writer.WriteBoolean("superuser", true);
        writer.WriteEndObject();
    }
}

/// <summary>What the auth endpoints share: stores, token issuers and the schema.</summary>
public sealed class IdentityServices(
    Database database, SchemaRegistry schemas, SuperuserStore superusers, RefreshTokens refreshTokens, AccessTokens accessTokens, AccessTokenOptions tokenOptions,
    AuthRateLimits limits, Accounts accounts)
{
    public AuthRateLimits Limits { get; } = limits;

    public Accounts Accounts { get; } = accounts;

    public SchemaRegistry Schemas { get; } = schemas;

    public SuperuserStore Superusers { get; } = superusers;

    public RefreshTokens RefreshTokens { get; } = refreshTokens;

    /// <summary>Finds a user of an auth collection by email and checks the password (same work when the email is unknown).</summary>
    public async Task<Record?> VerifyUserAsync(Collection collection, string email, string password, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        var sql = new SqlBuilder(database.Dialect);
        RecordStore.AppendSelect(sql, collection);
        sql.Append(" FROM ").Identifier(collection.Table).Append(' ').Append(RecordStore.Alias)
           .Append(" WHERE ").Column(RecordStore.Alias, "email").Append(" = ").Parameter(SqlType.Text, email.Trim().ToLowerInvariant());
        if (collection.SoftDelete)
        {
            sql.Append(" AND ").Column(RecordStore.Alias, Collection.DeletedAtField).Append(" IS NULL");
        }

        Record? record = null;
        await using (var command = sql.CreateCommand(connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                record = Record.Read(reader, collection, database.Dialect);
            }
        }

        string hash = record?.Get("password") as string ?? PasswordHash.Decoy;
        bool valid = PasswordHash.Verify(password, hash);
        return valid && record is not null ? record : null;
    }

    public async Task<Results<JsonBytesResult, ApiErrorResult>> SignInAsync(TokenSubject subject, Action<Utf8JsonWriter> profile, CancellationToken cancellationToken)
    {
        string refresh = await RefreshTokens.IssueAsync(subject, cancellationToken);
        return TokenResponse(subject, refresh, profile);
    }

    public JsonBytesResult TokenResponse(TokenSubject subject, string refreshToken, Action<Utf8JsonWriter> profile) =>
        JsonBytesResult.Envelope(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("accessToken", accessTokens.Issue(subject.Id, subject.Collection));
            writer.WriteString("refreshToken", refreshToken);
            writer.WriteString("tokenType", "Bearer");
            writer.WriteNumber("expiresIn", (long)tokenOptions.Lifetime.TotalSeconds);
            writer.WritePropertyName("user");
            profile(writer);
            writer.WriteEndObject();
        });
}
