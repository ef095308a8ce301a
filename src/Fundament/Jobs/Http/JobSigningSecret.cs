using Fundament.Data;
using Fundament.Data.Migrations;
using Fundament.Webhooks;

namespace Fundament.Jobs.Http;

/// <summary>
/// The secret that signs <c>http</c> job bodies like outbound webhooks: from configuration when set,
/// else generated once and stored in <c>_server_secrets</c> (the first node to ask wins the race).
/// </summary>
public sealed class JobSigningSecret(Database database, JobsOptions options, TimeProvider clock)
{
    public const string Table = "_server_secrets";
    private const string Name = "jobs.http.signing";

    public static readonly SystemMigration Migration = new("1763769650_create_server_secrets", (tx, ct) => tx.ExecuteRawAsync(
        $"""
        CREATE TABLE "{Table}" (
          name TEXT PRIMARY KEY NOT NULL,
          value TEXT NOT NULL,
          created_at {tx.Dialect.ColumnType(SqlType.Timestamp)} NOT NULL
        )
        """, ct));

    private WebhookSecret? _secret;

    public async Task<WebhookSecret> GetAsync(CancellationToken cancellationToken)
    {
        if (_secret is { } known)
        {
            return known;
        }

        if (options.JobSigningSecret is { Length: > 0 } configured)
        {
            return _secret = WebhookSecret.Parse(configured);
        }

        await using var tx = await database.BeginWriteAsync(cancellationToken);
        var insert = new SqlBuilder(tx.Dialect);
        insert.Append($"INSERT INTO \"{Table}\" (name, value, created_at) VALUES (").Parameter(SqlType.Text, Name).Append(", ")
              .Parameter(SqlType.Text, WebhookSecret.Create().Text).Append(", ").Parameter(SqlType.Timestamp, Timestamps.Now(clock))
              .Append(") ON CONFLICT (name) DO NOTHING");
        await tx.ExecuteAsync(insert, cancellationToken);
        var select = new SqlBuilder(tx.Dialect);
        select.Append($"SELECT value FROM \"{Table}\" WHERE name = ").Parameter(SqlType.Text, Name);
        string value;
        await using (var command = tx.CreateCommand(select))
        {
            value = (string)(await command.ExecuteScalarAsync(cancellationToken))!;
        }

        await tx.CommitAsync(cancellationToken);
        return _secret = WebhookSecret.Parse(value);
    }
}
