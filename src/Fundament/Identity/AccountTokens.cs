using System.Buffers.Text;
using System.Security.Cryptography;
using Fundament.Data;
using Fundament.Data.Migrations;
using Fundament.Toolkit;

namespace Fundament.Identity;

/// <summary>
/// Single-use, expiring tokens sent by email: to confirm an address or to reset a password. Only a
/// hash is stored; using one spends every other token of the same purpose for that account.
/// </summary>
public sealed class AccountTokens(TimeProvider clock)
{
    public const string Table = "_account_tokens";
    public const string VerifyEmail = "verify-email";
    public const string ResetPassword = "reset-password";
    public static readonly TimeSpan VerifyLifetime = TimeSpan.FromDays(1);
    public static readonly TimeSpan ResetLifetime = TimeSpan.FromHours(1);

    /// <summary>How long a token of this purpose stays valid.</summary>
    public static TimeSpan LifetimeOf(string purpose) => purpose == ResetPassword ? ResetLifetime : VerifyLifetime;

    public static readonly SystemMigration Migration = new("1763683600_create_account_tokens", async (tx, ct) =>
    {
        string timestamp = tx.Dialect.ColumnType(SqlType.Timestamp);
        await tx.ExecuteRawAsync(
            $"""
            CREATE TABLE "{Table}" (
              id TEXT PRIMARY KEY NOT NULL,
              purpose TEXT NOT NULL,
              collection TEXT NOT NULL,
              subject TEXT NOT NULL,
              token_hash TEXT NOT NULL UNIQUE,
              expires_at {timestamp} NOT NULL,
              used_at {timestamp},
              created_at {timestamp} NOT NULL
            )
            """, ct);
        await tx.ExecuteRawAsync($"CREATE INDEX \"ix_{Table}_subject\" ON \"{Table}\" (collection, subject)", ct);
    });

    public async Task<string> IssueAsync(WriteTransaction tx, string purpose, TokenSubject subject, CancellationToken cancellationToken)
    {
        string token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var now = Timestamps.Now(clock);
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"INSERT INTO \"{Table}\" (id, purpose, collection, subject, token_hash, expires_at, created_at) VALUES (")
           .Parameter(SqlType.Text, Uuids.NewV7()).Append(", ").Parameter(SqlType.Text, purpose).Append(", ")
           .Parameter(SqlType.Text, subject.Collection).Append(", ").Parameter(SqlType.Text, subject.Id).Append(", ")
           .Parameter(SqlType.Text, SecretHash.Of(token)).Append(", ")
           .Parameter(SqlType.Timestamp, now + LifetimeOf(purpose)).Append(", ")
           .Parameter(SqlType.Timestamp, now).Append(')');
        await tx.ExecuteAsync(sql, cancellationToken);
        return token;
    }

    /// <summary>Spends a token: returns its account, or null when it is unknown, used, expired or for another purpose.</summary>
    public async Task<TokenSubject?> SpendAsync(WriteTransaction tx, string purpose, string token, CancellationToken cancellationToken)
    {
        var now = Timestamps.Now(clock);
        var find = new SqlBuilder(tx.Dialect);
        find.Append($"SELECT collection, subject FROM \"{Table}\" WHERE token_hash = ").Parameter(SqlType.Text, SecretHash.Of(token))
            .Append(" AND purpose = ").Parameter(SqlType.Text, purpose)
            .Append(" AND used_at IS NULL AND expires_at > ").Parameter(SqlType.Timestamp, now);
        TokenSubject? subject = null;
        await using (var command = tx.CreateCommand(find))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                subject = new TokenSubject(reader.GetString(0), reader.GetString(1));
            }
        }

        if (subject is null)
        {
            return null;
        }

        var spend = new SqlBuilder(tx.Dialect);
        spend.Append($"UPDATE \"{Table}\" SET used_at = ").Parameter(SqlType.Timestamp, now)
             .Append(" WHERE used_at IS NULL AND purpose = ").Parameter(SqlType.Text, purpose)
             .Append(" AND collection = ").Parameter(SqlType.Text, subject.Collection)
             .Append(" AND subject = ").Parameter(SqlType.Text, subject.Id);
        await tx.ExecuteAsync(spend, cancellationToken);
        return subject;
    }

}
