using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Fundament.Data;
using Fundament.Data.Migrations;
using Microsoft.AspNetCore.Http;

namespace Fundament.Http;

/// <summary>
/// <c>Idempotency-Key</c> on POST (shared/API.md, "Writes"): the first response for a key is stored
/// for 24 hours and replayed for a retry with the same request; the same key with a different
/// request is a 409, as is a retry while the first attempt still runs. Keys are scoped to the
/// credentials that sent them. Server errors (5xx) are not stored, so they can be retried.
/// </summary>
public sealed class Idempotency(RequestDelegate next, Database database, FundamentOptions options, TimeProvider clock)
{
    public const string HeaderName = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    public const int MaxKeyLength = 255;
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    private const int InProgress = 0;

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        return HttpMethods.IsPost(request.Method) && request.Headers.TryGetValue(HeaderName, out var header) && request.Path.StartsWithSegments("/api")
            ? InvokeWithKeyAsync(context, header.ToString())
            : next(context);
    }

    private async Task InvokeWithKeyAsync(HttpContext context, string key)
    {
        var request = context.Request;
        if (key.Length is 0 or > MaxKeyLength)
        {
            await ApiErrorResult.WriteAsync(context, ApiError.BadRequest($"{HeaderName} must be 1 to {MaxKeyLength} characters"));
            return;
        }

        byte[]? body = await ReadBodyAsync(request, options.MaxBodyBytes, context.RequestAborted);
        if (body is null)
        {
            await ApiErrorResult.WriteAsync(context, ApiError.PayloadTooLarge(options.MaxBodyBytes));
            return;
        }

        string rowKey = Hash(Scope(request) + "\n" + key);
        string requestHash = Hash($"{request.Method} {request.Path}{request.QueryString}\n", body);
        var stored = await FindAsync(rowKey, context.RequestAborted);
        if (stored is not null)
        {
            await AnswerExistingAsync(context, stored, requestHash);
            return;
        }

        if (!await ReserveAsync(rowKey, requestHash, context.RequestAborted))
        {
            await ApiErrorResult.WriteAsync(context, ApiError.Conflict("A request with this Idempotency-Key is still in progress"));
            return;
        }

        request.Body = new MemoryStream(body, writable: false);
        var originalBody = context.Response.Body;
        using var captured = new MemoryStream();
        context.Response.Body = captured;
        bool stored5xx = true;
        try
        {
            await next(context);
            stored5xx = context.Response.StatusCode >= 500;
            if (!stored5xx)
            {
                await CompleteAsync(rowKey, context.Response.StatusCode, context.Response.Headers.Location.ToString(), captured.ToArray());
            }
        }
        finally
        {
            if (stored5xx)
            {
                await ForgetAsync(rowKey);
            }

            context.Response.Body = originalBody;
            captured.Position = 0;
            await captured.CopyToAsync(originalBody, CancellationToken.None);
        }
    }

    /// <summary>Deletes stored responses older than <see cref="Lifetime"/>.</summary>
    public static async Task<int> PurgeAsync(Database database, DateTime now, CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"DELETE FROM \"{SystemTables.Idempotency}\" WHERE created_at < ").Parameter(SqlType.Timestamp, now - Lifetime);
        int removed = await tx.ExecuteAsync(sql, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return removed;
    }

    private sealed record StoredResponse(string RequestHash, int Status, string? Location, string? Body);

    private static async Task AnswerExistingAsync(HttpContext context, StoredResponse stored, string requestHash)
    {
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stored.RequestHash), Encoding.ASCII.GetBytes(requestHash)))
        {
            await ApiErrorResult.WriteAsync(context, ApiError.Conflict("This Idempotency-Key was already used with a different request"));
            return;
        }

        if (stored.Status == InProgress)
        {
            await ApiErrorResult.WriteAsync(context, ApiError.Conflict("A request with this Idempotency-Key is still in progress"));
            return;
        }

        var response = context.Response;
        response.StatusCode = stored.Status;
        response.Headers[ReplayedHeader] = "true";
        if (!string.IsNullOrEmpty(stored.Location))
        {
            response.Headers.Location = stored.Location;
        }

        if (!string.IsNullOrEmpty(stored.Body))
        {
            response.ContentType = "application/json; charset=utf-8";
            await response.WriteAsync(stored.Body);
        }
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    // Different credentials never share keys; the credential itself is only kept as part of a hash.
    private static string Scope(HttpRequest request) =>
        request.Headers.Authorization.ToString() + "\n" + request.Headers["X-Api-Key"].ToString();

    private static string Hash(string text, byte[]? body = null)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(text));
        if (body is not null)
        {
            hash.AppendData(body);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private async Task<StoredResponse?> FindAsync(string rowKey, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        var sql = new SqlBuilder(database.Dialect);
        sql.Append($"SELECT request_hash, status, location, body FROM \"{SystemTables.Idempotency}\" WHERE key = ")
           .Parameter(SqlType.Text, rowKey).Append(" AND created_at >= ").Parameter(SqlType.Timestamp, clock.GetUtcNow().UtcDateTime - Lifetime);
        await using var command = sql.CreateCommand(connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new StoredResponse(reader.GetString(0), Convert.ToInt32(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture),
            reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3));
    }

    private async Task<bool> ReserveAsync(string rowKey, string requestHash, CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        // An expired row for the same key is replaced, not replayed.
        var delete = new SqlBuilder(tx.Dialect);
        delete.Append($"DELETE FROM \"{SystemTables.Idempotency}\" WHERE key = ").Parameter(SqlType.Text, rowKey)
              .Append(" AND created_at < ").Parameter(SqlType.Timestamp, clock.GetUtcNow().UtcDateTime - Lifetime);
        await tx.ExecuteAsync(delete, cancellationToken);
        var insert = new SqlBuilder(tx.Dialect);
        insert.Append($"INSERT INTO \"{SystemTables.Idempotency}\" (key, request_hash, status, created_at) VALUES (")
              .Parameter(SqlType.Text, rowKey).Append(", ").Parameter(SqlType.Text, requestHash).Append(", ")
              .Parameter(SqlType.Integer, (long)InProgress).Append(", ").Parameter(SqlType.Timestamp, clock.GetUtcNow().UtcDateTime).Append(')');
        try
        {
            await tx.ExecuteAsync(insert, cancellationToken);
            await tx.CommitAsync(cancellationToken);
            return true;
        }
        catch (DbException ex) when (tx.Dialect.Classify(ex) is { Kind: ConstraintKind.Unique })
        {
            return false;
        }
    }

    private async Task CompleteAsync(string rowKey, int status, string location, byte[] body)
    {
        await using var tx = await database.BeginWriteAsync(CancellationToken.None);
        var update = new SqlBuilder(tx.Dialect);
        update.Append($"UPDATE \"{SystemTables.Idempotency}\" SET status = ").Parameter(SqlType.Integer, (long)status)
              .Append(", location = ").Parameter(SqlType.Text, location.Length == 0 ? null : location)
              .Append(", body = ").Parameter(SqlType.Text, body.Length == 0 ? null : Encoding.UTF8.GetString(body))
              .Append(" WHERE key = ").Parameter(SqlType.Text, rowKey);
        await tx.ExecuteAsync(update, CancellationToken.None);
        await tx.CommitAsync(CancellationToken.None);
    }

    private async Task ForgetAsync(string rowKey)
    {
        await using var tx = await database.BeginWriteAsync(CancellationToken.None);
        var delete = new SqlBuilder(tx.Dialect);
        delete.Append($"DELETE FROM \"{SystemTables.Idempotency}\" WHERE key = ").Parameter(SqlType.Text, rowKey);
        await tx.ExecuteAsync(delete, CancellationToken.None);
        await tx.CommitAsync(CancellationToken.None);
    }
}
