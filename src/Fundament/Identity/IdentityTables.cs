using Fundament.Data;
using Fundament.Data.Migrations;

namespace Fundament.Identity;

/// <summary>The tables identity keeps: superusers and refresh tokens (hashes only, never secrets).</summary>
public static class IdentityTables
{
    public const string Superusers = "_superusers";
    public const string RefreshTokens = "_refresh_tokens";

    /// <summary>The <c>col</c> claim of a superuser's access token.</summary>
    public const string SuperusersCollection = Superusers;

    public static readonly SystemMigration Create = new("1763683300_create_identity_tables", async (tx, ct) =>
    {
        string timestamp = tx.Dialect.ColumnType(SqlType.Timestamp);
        await tx.ExecuteRawAsync(
            $"""
            CREATE TABLE "{Superusers}" (
              id TEXT PRIMARY KEY NOT NULL,
              email TEXT NOT NULL UNIQUE,
              password TEXT NOT NULL,
              created_at {timestamp} NOT NULL,
              updated_at {timestamp} NOT NULL
            )
            """, ct);
        await tx.ExecuteRawAsync(
            $"""
            CREATE TABLE "{RefreshTokens}" (
              id TEXT PRIMARY KEY NOT NULL,
              family TEXT NOT NULL,
              subject TEXT NOT NULL,
              collection TEXT NOT NULL,
              token_hash TEXT NOT NULL UNIQUE,
              expires_at {timestamp} NOT NULL,
              used_at {timestamp},
              revoked_at {timestamp},
              created_at {timestamp} NOT NULL
            )
            """, ct);
        await tx.ExecuteRawAsync($"CREATE INDEX \"ix_{RefreshTokens}_family\" ON \"{RefreshTokens}\" (family)", ct);
        await tx.ExecuteRawAsync($"CREATE INDEX \"ix_{RefreshTokens}_subject\" ON \"{RefreshTokens}\" (collection, subject)", ct);
    });
}
