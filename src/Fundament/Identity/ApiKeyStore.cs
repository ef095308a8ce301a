using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fundament.Data;
using Fundament.Data.Migrations;
using Fundament.Http;
using Fundament.Toolkit;

namespace Fundament.Identity;

/// <summary>An API key as its owner sees it; the secret is shown once, at creation.</summary>
public sealed record ApiKey(string Id, string Name, IReadOnlyList<string> Scopes, string OwnerCollection, string OwnerId,
    DateTime? ExpiresAt, DateTime? RevokedAt, DateTime? LastUsedAt, DateTime CreatedAt);

/// <summary>
/// API keys: <c>fk_&lt;lookup&gt;_&lt;secret&gt;</c>. The lookup part finds the row without scanning; the secret
/// (256 random bits) is stored only as a SHA-256 hash and compared in constant time. A key acts as its
/// owner (a superuser or a user), narrowed to its scopes.
/// </summary>
public sealed partial class ApiKeyStore(Database database, TimeProvider clock)
{
    public const string Table = "_api_keys";
    public const string Prefix = "fk_";
    private const int LookupLength = 12;
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    [GeneratedRegex("^[a-z][a-z0-9_]{0,62}:(read|write)$")]
    private static partial Regex CollectionScope();

    public static readonly SystemMigration Migration = new("1763683400_create_api_keys", (tx, ct) =>
    {
        string timestamp = tx.Dialect.ColumnType(SqlType.Timestamp);
        return tx.ExecuteRawAsync(
            $"""
            CREATE TABLE "{Table}" (
              id TEXT PRIMARY KEY NOT NULL,
              name TEXT NOT NULL,
              lookup TEXT NOT NULL UNIQUE,
              secret_hash TEXT NOT NULL,
              scopes TEXT NOT NULL,
              owner_collection TEXT NOT NULL,
              owner_id TEXT NOT NULL,
              expires_at {timestamp},
              revoked_at {timestamp},
              last_used_at {timestamp},
              created_at {timestamp} NOT NULL
            )
            """, ct);
    });

    public static bool IsValidScope(string scope) =>
        scope is ApiScopes.Read or ApiScopes.Write or ApiScopes.Admin or ApiScopes.Jobs || CollectionScope().IsMatch(scope);

    /// <summary>Creates a key and returns it with its secret, which is not stored and cannot be shown again.</summary>
    public async Task<(ApiKey Key, string Secret)> CreateAsync(TokenSubject owner, string name, IReadOnlyList<string> scopes, DateTime? expiresAt, CancellationToken cancellationToken)
    {
        string lookup = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(9));
        string secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var now = Timestamps.Now(clock);
        var key = new ApiKey(Uuids.NewV7(), name, scopes, owner.Collection, owner.Id, expiresAt, null, null, now);
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var insert = new SqlBuilder(tx.Dialect);
        insert.Append($"INSERT INTO \"{Table}\" (id, name, lookup, secret_hash, scopes, owner_collection, owner_id, expires_at, created_at) VALUES (")
              .Parameter(SqlType.Text, key.Id).Append(", ").Parameter(SqlType.Text, name).Append(", ").Parameter(SqlType.Text, lookup).Append(", ")
              .Parameter(SqlType.Text, SecretHash.Of(secret)).Append(", ").Parameter(SqlType.Text, JsonSerializer.Serialize(scopes.ToList(), AppJsonContext.Default.ListString)).Append(", ")
              .Parameter(SqlType.Text, owner.Collection).Append(", ").Parameter(SqlType.Text, owner.Id).Append(", ")
              .Parameter(SqlType.Timestamp, expiresAt).Append(", ").Parameter(SqlType.Timestamp, now).Append(')');
        await tx.ExecuteAsync(insert, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return (key, $"{Prefix}{lookup}_{secret}");
    }

    public async Task<List<ApiKey>> ListAsync(TokenSubject owner, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(database.Dialect);
        sql.Append(SelectColumns).Append(" WHERE owner_collection = ").Parameter(SqlType.Text, owner.Collection)
           .Append(" AND owner_id = ").Parameter(SqlType.Text, owner.Id).Append(" ORDER BY created_at, id");
        await using var connection = await database.OpenReadAsync(cancellationToken);
        await using var command = sql.CreateCommand(connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<ApiKey>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(ReadKey(reader));
        }

        return keys;
    }

    /// <summary>Revokes a key; only its owner (or any superuser) may. False when there is no such key for them.</summary>
    public async Task<bool> RevokeAsync(string id, TokenSubject requester, bool isSuperuser, CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"UPDATE \"{Table}\" SET revoked_at = ").Parameter(SqlType.Timestamp, Timestamps.Now(clock))
           .Append(" WHERE id = ").Parameter(SqlType.Text, id).Append(" AND revoked_at IS NULL");
        if (!isSuperuser)
        {
            sql.Append(" AND owner_collection = ").Parameter(SqlType.Text, requester.Collection)
               .Append(" AND owner_id = ").Parameter(SqlType.Text, requester.Id);
        }

        int changed = await tx.ExecuteAsync(sql, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return changed == 1;
    }

    /// <summary>Finds the live key a presented secret belongs to, or null (unknown, wrong secret, revoked, expired).</summary>
    public async Task<ApiKey?> VerifyAsync(string presented, CancellationToken cancellationToken)
    {
        if (!presented.StartsWith(Prefix, StringComparison.Ordinal) || presented.Length > 128)
        {
            return null;
        }

        // The lookup part has a fixed length: base64url may itself contain '_', so the separator is found by position.
        int separator = Prefix.Length + LookupLength;
        if (presented.Length <= separator + 1 || presented[separator] != '_')
        {
            return null;
        }

        string lookup = presented[Prefix.Length..separator];
        string secret = presented[(separator + 1)..];
        ApiKey key;
        string storedHash;
        await using (var connection = await database.OpenReadAsync(cancellationToken))
        {
            var query = new SqlBuilder(database.Dialect);
            query.Append(SelectColumnsWithHash).Append(" WHERE lookup = ").Parameter(SqlType.Text, lookup);
            await using var command = query.CreateCommand(connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            key = ReadKey(reader);
            storedHash = reader.GetString(9);
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(SecretHash.Of(secret)), Encoding.ASCII.GetBytes(storedHash)) ||
            key.RevokedAt is not null || key.ExpiresAt <= clock.GetUtcNow().UtcDateTime)
        {
            return null;
        }

        if (key.LastUsedAt is null || clock.GetUtcNow().UtcDateTime - key.LastUsedAt > LastUsedResolution)
        {
            await TouchAsync(key.Id, cancellationToken);
        }

        return key;
    }

    /// <summary>The key with this id while it is live (not revoked, not expired), or null; for credentials issued on a key's behalf (realtime tickets).</summary>
    public async Task<ApiKey?> FindLiveAsync(string id, CancellationToken cancellationToken)
    {
        var query = new SqlBuilder(database.Dialect);
        query.Append(SelectColumns).Append(" WHERE id = ").Parameter(SqlType.Text, id);
        await using var connection = await database.OpenReadAsync(cancellationToken);
        await using var command = query.CreateCommand(connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var key = ReadKey(reader);
        return key.RevokedAt is null && !(key.ExpiresAt <= clock.GetUtcNow().UtcDateTime) ? key : null;
    }

    private const string Columns = "id, name, scopes, owner_collection, owner_id, expires_at, revoked_at, last_used_at, created_at";
    private const string SelectColumns = $"SELECT {Columns} FROM \"{Table}\"";
    private const string SelectColumnsWithHash = $"SELECT {Columns}, secret_hash FROM \"{Table}\"";

    private ApiKey ReadKey(System.Data.Common.DbDataReader reader)
    {
        var dialect = database.Dialect;
        return new ApiKey(reader.GetString(0), reader.GetString(1),
            JsonSerializer.Deserialize(reader.GetString(2), AppJsonContext.Default.ListString) ?? [],
            reader.GetString(3), reader.GetString(4),
            (DateTime?)dialect.Read(reader, 5, SqlType.Timestamp), (DateTime?)dialect.Read(reader, 6, SqlType.Timestamp),
            (DateTime?)dialect.Read(reader, 7, SqlType.Timestamp), (DateTime)dialect.Read(reader, 8, SqlType.Timestamp)!);
    }

    // Recorded at most once a minute per key, so that using a key does not turn every read into a write.
    private async Task TouchAsync(string id, CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"UPDATE \"{Table}\" SET last_used_at = ").Parameter(SqlType.Timestamp, Timestamps.Now(clock))
           .Append(" WHERE id = ").Parameter(SqlType.Text, id);
        await tx.ExecuteAsync(sql, cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

}
