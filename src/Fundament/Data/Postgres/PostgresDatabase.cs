using System.Data.Common;
using Npgsql;

namespace Fundament.Data.Postgres;

/// <summary>PostgreSQL through one pooled <see cref="NpgsqlDataSource"/>.</summary>
public sealed class PostgresDatabase : Database
{
    private readonly NpgsqlDataSource _dataSource;

    private PostgresDatabase(NpgsqlDataSource dataSource, string description)
    {
        _dataSource = dataSource;
        Description = description;
    }

    public override ISqlDialect Dialect => PostgresDialect.Instance;

    public override string Description { get; }

    public static PostgresDatabase Create(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Normalize(connectionString));
        var description = $"postgres://{builder.Host}:{builder.Port}/{builder.Database}";
        return new PostgresDatabase(NpgsqlDataSource.Create(builder), description);
    }

    /// <summary>
    /// Opens a connection for a session that lives as long as a feature needs it (realtime's LISTEN), from the same
    /// pool but outside the read metrics, which would count it as one read that never ends. The caller disposes it.
    /// </summary>
    internal async ValueTask<NpgsqlConnection> OpenSessionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    protected override async ValueTask<DbConnection> OpenReadCoreAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    protected override async Task<WriteTransaction> BeginWriteCoreAsync(CancellationToken cancellationToken, bool schemaChange)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            return new WriteTransaction(this, connection, transaction, () => connection.DisposeAsync());
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
