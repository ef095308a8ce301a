using System.Buffers.Text;
using System.Security.Cryptography;
using Fundament.Data;
using Fundament.Toolkit;

namespace Fundament.Identity;

/// <summary>The owner of a refresh token: a superuser or a user of an auth collection.</summary>
public sealed record TokenSubject(string Collection, string Id);

/// <summary>
/// Opaque refresh tokens (<c>frt_</c> + 256 random bits), stored as SHA-256 hashes. Each use spends
/// the token and issues the next one in the same family; presenting a spent token again means it
/// leaked, so the whole family is revoked (OAuth 2.0 Security BCP, refresh token rotation).
/// </summary>
public sealed class RefreshTokens(Database database, TimeProvider clock)
{
    public const string Prefix = "frt_";
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    public enum Result
    {
        Rotated,
        Unknown,
        Expired,
        Reused,
    }

    /// <summary>Starts a new family (at login) and returns the token.</summary>
    public async Task<string> IssueAsync(TokenSubject subject, CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        string token = await InsertAsync(tx, subject, Uuids.NewV7(), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return token;
    }

    /// <summary>Spends <paramref name="token"/> and returns its successor, or why it cannot be used.</summary>
    public async Task<(Result Result, TokenSubject? Subject, string? Next)> RotateAsync(string token, CancellationToken cancellationToken)
    {
        var now = Timestamps.Now(clock);
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var find = new SqlBuilder(tx.Dialect);
        find.Append($"SELECT id, family, collection, subject, expires_at, used_at, revoked_at FROM \"{IdentityTables.RefreshTokens}\" WHERE token_hash = ")
            .Parameter(SqlType.Text, SecretHash.Of(token));
        if (tx.Dialect.Provider == DatabaseProvider.Postgres)
        {
            find.Append(" FOR UPDATE");
        }

        string id, family;
        TokenSubject subject;
        bool expired, spent;
        await using (var command = tx.CreateCommand(find))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return (Result.Unknown, null, null);
            }

            id = reader.GetString(0);
            family = reader.GetString(1);
            subject = new TokenSubject(reader.GetString(2), reader.GetString(3));
            expired = (DateTime)tx.Dialect.Read(reader, 4, SqlType.Timestamp)! <= now;
            spent = !reader.IsDBNull(5) || !reader.IsDBNull(6);
        }

        if (spent)
        {
            await RevokeFamilyAsync(tx, family, now, cancellationToken);
            await tx.CommitAsync(cancellationToken);
            return (Result.Reused, subject, null);
        }

        if (expired)
        {
            return (Result.Expired, subject, null);
        }

        var use = new SqlBuilder(tx.Dialect);
        use.Append($"UPDATE \"{IdentityTables.RefreshTokens}\" SET used_at = ").Parameter(SqlType.Timestamp, now)
           .Append(" WHERE id = ").Parameter(SqlType.Text, id);
        await tx.ExecuteAsync(use, cancellationToken);
        string next = await InsertAsync(tx, subject, family, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return (Result.Rotated, subject, next);
    }

    /// <summary>Revokes the family of <paramref name="token"/> (logout); unknown tokens are ignored.</summary>
    public async Task RevokeAsync(string token, CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"UPDATE \"{IdentityTables.RefreshTokens}\" SET revoked_at = ").Parameter(SqlType.Timestamp, Timestamps.Now(clock))
           .Append($" WHERE revoked_at IS NULL AND family IN (SELECT family FROM \"{IdentityTables.RefreshTokens}\" WHERE token_hash = ")
           .Parameter(SqlType.Text, SecretHash.Of(token)).Append(')');
        await tx.ExecuteAsync(sql, cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>Revokes every refresh token of a subject (password change, account deletion).</summary>
    public static async Task RevokeSubjectAsync(WriteTransaction tx, string collection, string subject, DateTime now, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"UPDATE \"{IdentityTables.RefreshTokens}\" SET revoked_at = ").Parameter(SqlType.Timestamp, now)
           .Append(" WHERE revoked_at IS NULL AND collection = ").Parameter(SqlType.Text, collection)
           .Append(" AND subject = ").Parameter(SqlType.Text, subject);
        await tx.ExecuteAsync(sql, cancellationToken);
    }

    private static async Task RevokeFamilyAsync(WriteTransaction tx, string family, DateTime now, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"UPDATE \"{IdentityTables.RefreshTokens}\" SET revoked_at = ").Parameter(SqlType.Timestamp, now)
           .Append(" WHERE revoked_at IS NULL AND family = ").Parameter(SqlType.Text, family);
        await tx.ExecuteAsync(sql, cancellationToken);
    }

    private async Task<string> InsertAsync(WriteTransaction tx, TokenSubject subject, string family, CancellationToken cancellationToken)
    {
        string token = Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var now = Timestamps.Now(clock);
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"INSERT INTO \"{IdentityTables.RefreshTokens}\" (id, family, subject, collection, token_hash, expires_at, created_at) VALUES (")
           .Parameter(SqlType.Text, Uuids.NewV7()).Append(", ").Parameter(SqlType.Text, family).Append(", ")
           .Parameter(SqlType.Text, subject.Id).Append(", ").Parameter(SqlType.Text, subject.Collection).Append(", ")
           .Parameter(SqlType.Text, SecretHash.Of(token)).Append(", ").Parameter(SqlType.Timestamp, now + Lifetime).Append(", ")
           .Parameter(SqlType.Timestamp, now).Append(')');
        await tx.ExecuteAsync(sql, cancellationToken);
        return token;
    }

}
