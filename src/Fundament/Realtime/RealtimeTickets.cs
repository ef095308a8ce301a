using System.Buffers.Text;
using System.Security.Cryptography;
using Fundament.Data;
using Fundament.Http;
using Fundament.Identity;
using Fundament.Toolkit;

namespace Fundament.Realtime;

/// <summary>
/// Single-use tickets for browsers, whose EventSource cannot send an <c>Authorization</c> header: an
/// authenticated <c>POST /api/realtime/ticket</c> takes one, <c>GET /api/realtime?ticket=…</c> spends it.
/// A ticket is 256 random bits, kept only as a hash in the database (so one taken on node A works on node
/// B), valid for <see cref="LifetimeSeconds"/> and deleted by the request that uses it. It names an account
/// (and key), not a snapshot: redeeming looks them up again, so a deleted account or revoked key gets no stream.
/// </summary>
public sealed class RealtimeTickets(Database database, Accounts accounts, ApiKeyStore apiKeys, TimeProvider clock)
{
    public const int LifetimeSeconds = 60;
    public const string Prefix = "rt_";

    public async Task<string> CreateAsync(Caller caller, CancellationToken cancellationToken)
    {
        if (caller.IsAnonymous || caller.Collection is null || caller.Id is null)
        {
            throw new ArgumentException("Only an authenticated caller can take a ticket.", nameof(caller));
        }

        string ticket = Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"INSERT INTO \"{RealtimeTables.Tickets}\" (hash, caller_collection, caller_id, api_key_id, expires_at) VALUES (")
           .Parameter(SqlType.Text, SecretHash.Of(ticket)).Append(", ").Parameter(SqlType.Text, caller.Collection).Append(", ")
           .Parameter(SqlType.Text, caller.Id).Append(", ").Parameter(SqlType.Text, caller.ApiKeyId).Append(", ")
           .Parameter(SqlType.Timestamp, Timestamps.Now(clock).AddSeconds(LifetimeSeconds)).Append(')');
        await tx.ExecuteAsync(sql, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return ticket;
    }

    /// <summary>The caller a ticket stands for, as its account is now; null for an unknown, spent or expired ticket, a deleted account or a revoked key.</summary>
    public async Task<Caller?> RedeemAsync(string ticket, CancellationToken cancellationToken)
    {
        if (!ticket.StartsWith(Prefix, StringComparison.Ordinal) || ticket.Length > 100)
        {
            return null;
        }

        string collection, id;
        string? apiKeyId;
        await using (var tx = await database.BeginWriteAsync(cancellationToken))
        {
            var sql = new SqlBuilder(tx.Dialect);
            sql.Append($"DELETE FROM \"{RealtimeTables.Tickets}\" WHERE hash = ").Parameter(SqlType.Text, SecretHash.Of(ticket))
               .Append(" AND expires_at > ").Parameter(SqlType.Timestamp, Timestamps.Now(clock))
               .Append(" RETURNING caller_collection, caller_id, api_key_id");
            await using (var command = tx.CreateCommand(sql))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                if (!await reader.ReadAsync(cancellationToken))
                {
                    return null;
                }

                (collection, id, apiKeyId) = (reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
            }

            await tx.CommitAsync(cancellationToken);
        }

        if ((await accounts.FindAsync(new TokenSubject(collection, id), cancellationToken))?.ToCaller() is not { } caller)
        {
            return null;
        }

        if (apiKeyId is null)
        {
            return caller;
        }

        return await apiKeys.FindLiveAsync(apiKeyId, cancellationToken) is { } key
            ? caller with { ApiKeyId = key.Id, Scopes = key.Scopes.ToHashSet(StringComparer.Ordinal) }
            : null;
    }

    /// <summary>Deletes expired tickets that were never used.</summary>
    public async Task PurgeAsync(CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"DELETE FROM \"{RealtimeTables.Tickets}\" WHERE expires_at <= ").Parameter(SqlType.Timestamp, Timestamps.Now(clock));
        await tx.ExecuteAsync(sql, cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }
}
