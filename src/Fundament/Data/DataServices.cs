using Fundament.Data.Migrations;
using Fundament.Data.Postgres;
using Fundament.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Fundament.Data;

public static class DataServices
{
    /// <summary>Registers the <see cref="Database"/> chosen by <see cref="FundamentOptions.Database"/> and the system tables.</summary>
    public static IHostApplicationBuilder AddData(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<DatabaseMetrics>();
        builder.Services.AddSingleton(OpenDatabase);
        builder.Services.AddSingleton(SystemTables.CreateCoreTables);
        return builder;
    }

    /// <summary>Opens the database the options name: PostgreSQL for a postgres URL or connection string, else SQLite.</summary>
    public static Database OpenDatabase(IServiceProvider services)
    {
        var database = OpenDatabase(services.GetRequiredService<FundamentOptions>());
        database.Metrics = services.GetRequiredService<DatabaseMetrics>();
        return database;
    }

    public static Database OpenDatabase(FundamentOptions options) =>
        options.Database is { Length: > 0 } connection && PostgresConnectionString.IsPostgres(connection)
            ? PostgresDatabase.Create(connection)
            : SqliteDatabase.OpenAsync(options.Database is { Length: > 0 } file ? file : options.SqlitePath, options.SqliteFullSync, CancellationToken.None)
                .GetAwaiter().GetResult();
}
