using System.Text.Json;
using Fundament.Collections;
using Fundament.Data;
using Fundament.Email;
using Fundament.Http;
using Fundament.Jobs;
using Fundament.Records;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Fundament.Identity;

/// <summary>
/// Email verification and password reset (shared/API.md, "Auth"). The request endpoints answer 204
/// whether or not the email belongs to an account, so they reveal nothing; tokens are single-use,
/// expire, and arrive by email (an <c>email.send</c> job enqueued with the token).
/// </summary>
public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccount(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Auth").RequireRateLimiting(AuthRateLimits.Policy);
        auth.MapPost("/verify-email", RequestVerification).WithName("RequestEmailVerification");
        auth.MapPost("/confirm-email", ConfirmEmail).WithName("ConfirmEmail");
        auth.MapPost("/request-password-reset", RequestReset).WithName("RequestPasswordReset");
        auth.MapPost("/confirm-password-reset", ConfirmReset).WithName("ConfirmPasswordReset");
        return app;
    }

    private static Task<Results<NoContent, ApiErrorResult>> RequestVerification(HttpContext http, AccountServices services, CancellationToken cancellationToken) =>
        services.RequestAsync(http, AccountTokens.VerifyEmail, cancellationToken);

    private static Task<Results<NoContent, ApiErrorResult>> RequestReset(HttpContext http, AccountServices services, CancellationToken cancellationToken) =>
        services.RequestAsync(http, AccountTokens.ResetPassword, cancellationToken);

    private static async Task<Results<NoContent, ApiErrorResult>> ConfirmEmail(HttpContext http, AccountServices services, CancellationToken cancellationToken)
    {
        var input = await CredentialBody.ReadAsync(http, cancellationToken, ["token"], []);
        if (!input.IsSuccess)
        {
            return input.Error.ToResult();
        }

        return await services.ConfirmEmailAsync(input.Value["token"], cancellationToken) is { } error ? error.ToResult() : TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ApiErrorResult>> ConfirmReset(HttpContext http, AccountServices services, CancellationToken cancellationToken)
    {
        var input = await CredentialBody.ReadAsync(http, cancellationToken, ["token", "password"], []);
        if (!input.IsSuccess)
        {
            return input.Error.ToResult();
        }

        return await services.ResetPasswordAsync(input.Value["token"], input.Value["password"], cancellationToken) is { } error
            ? error.ToResult()
            : TypedResults.NoContent();
    }
}

/// <summary>The work behind <see cref="AccountEndpoints"/>.</summary>
public sealed class AccountServices(
    Database database, SchemaRegistry schemas, AccountTokens tokens, JobStore jobs, ReadCache cache, EmailOptions email, AuthRateLimits limits, TimeProvider clock)
{
    private static readonly ApiError InvalidToken = ApiError.BadRequest("The token is invalid, expired or already used", [new ErrorDetail("token", "is invalid, expired or already used")]);

    public async Task<Results<NoContent, ApiErrorResult>> RequestAsync(HttpContext http, string purpose, CancellationToken cancellationToken)
    {
        var input = await CredentialBody.ReadAsync(http, cancellationToken, ["email"], ["collection"]);
        if (!input.IsSuccess)
        {
            return input.Error.ToResult();
        }

        string name = input.Value.GetValueOrDefault("collection") ?? AuthEndpoints.DefaultAuthCollection;
        if (schemas.Current.Find(name) is not { IsAuth: true } collection)
        {
            return ApiError.Validation("collection", $"'{name}' is not an auth collection").ToResult();
        }

        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var account = await FindAsync(tx, collection, input.Value["email"], cancellationToken);
        bool alreadyVerified = account?.Verified == true && purpose == AccountTokens.VerifyEmail;
        if (account is not null && !alreadyVerified && limits.AllowMail($"{purpose}:{collection.Name}:{account.Id}"))
        {
            string token = await tokens.IssueAsync(tx, purpose, new TokenSubject(collection.Name, account.Id), cancellationToken);
            var model = new AccountEmailModel(email.AppName, token, AccountTokens.LifetimeOf(purpose));
            var message = purpose == AccountTokens.VerifyEmail ? EmailTemplates.VerifyEmail(account.Email, model) : EmailTemplates.ResetPassword(account.Email, model);
            await EmailJob.EnqueueAsync(jobs, tx, message, cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }

        return TypedResults.NoContent();
    }

    public async Task<ApiError?> ConfirmEmailAsync(string token, CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var subject = await tokens.SpendAsync(tx, AccountTokens.VerifyEmail, token, cancellationToken);
        if (subject is null || schemas.Current.Find(subject.Collection) is not { IsAuth: true } collection || collection.FindField(AuthRecordHooks.VerifiedField) is null)
        {
            return InvalidToken;
        }

        await SetAsync(tx, collection, subject.Id, AuthRecordHooks.VerifiedField, SqlType.Boolean, true, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return null;
    }

    public async Task<ApiError?> ResetPasswordAsync(string token, string password, CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var subject = await tokens.SpendAsync(tx, AccountTokens.ResetPassword, token, cancellationToken);
        if (subject is null || schemas.Current.Find(subject.Collection) is not { IsAuth: true } collection ||
            collection.FindField(AuthRecordHooks.PasswordField) is not { } field)
        {
            return InvalidToken;
        }

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(password, AppJsonContext.Default.String));
        if (!field.Type.TryConvert(field, json.RootElement, out var hash, out var error))
        {
            return ApiError.Validation("password", error!);
        }

        await SetAsync(tx, collection, subject.Id, field.Name, SqlType.Text, hash, cancellationToken);
        await RefreshTokens.RevokeSubjectAsync(tx, collection.Name, subject.Id, Timestamps.Now(clock), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return null;
    }

    private sealed record Account(string Id, string Email, bool? Verified);

    private static async Task<Account?> FindAsync(WriteTransaction tx, Collection collection, string email, CancellationToken cancellationToken)
    {
        bool hasVerified = collection.FindField(AuthRecordHooks.VerifiedField) is not null;
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append("SELECT ").Identifier(Collection.IdField).Append(", ").Identifier("email");
        if (hasVerified)
        {
            sql.Append(", ").Identifier(AuthRecordHooks.VerifiedField);
        }

        sql.Append(" FROM ").Identifier(collection.Table).Append(" WHERE ").Identifier("email").Append(" = ")
           .Parameter(SqlType.Text, email.Trim().ToLowerInvariant());
        if (collection.SoftDelete)
        {
            sql.Append(" AND ").Identifier(Collection.DeletedAtField).Append(" IS NULL");
        }

        await using var command = tx.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new Account((string)tx.Dialect.Read(reader, 0, SqlType.Id)!, reader.GetString(1),
            hasVerified ? (bool?)tx.Dialect.Read(reader, 2, SqlType.Boolean) : null);
    }

    private async Task SetAsync(WriteTransaction tx, Collection collection, string id, string field, SqlType type, object? value, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append("UPDATE ").Identifier(collection.Table).Append(" SET ").Identifier(field).Append(" = ").Parameter(type, value)
           .Append(", ").Identifier(Collection.UpdatedAtField).Append(" = ").Parameter(SqlType.Timestamp, Timestamps.Now(clock))
           .Append(" WHERE ").Identifier(Collection.IdField).Append(" = ").Parameter(SqlType.Id, id);
        await tx.ExecuteAsync(sql, cancellationToken);
        // This write bypasses the record hooks (it is not a client's write), so it invalidates cached reads itself.
        tx.OnCommitted(cache.Invalidate);
    }
}
