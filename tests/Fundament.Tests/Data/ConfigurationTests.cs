using System.Collections;
using Fundament.Data.Postgres;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Fundament.Tests.Data;

public sealed class ConfigurationTests
{
    [Fact]
    public void Fundament_environment_variables_map_onto_options()
    {
        var environment = new Hashtable
        {
            ["FUNDAMENT_DB"] = "postgres://u:p@db:5433/app",
            ["FUNDAMENT_DIR"] = "/var/lib/fundament",
            ["FUNDAMENT_SUPERUSER_EMAIL"] = "root@example.com",
            ["FUNDAMENT_MAX_BODY_BYTES"] = "2048",
            ["PATH"] = "/bin",
        };
        var configuration = new ConfigurationBuilder().AddFundamentEnvironment(environment).Build();
        var options = configuration.GetSection(FundamentOptions.Section).Get<FundamentOptions>()!;
        Assert.Equal("postgres://u:p@db:5433/app", options.Database);
        Assert.Equal("/var/lib/fundament", options.DataDirectory);
        Assert.Equal("root@example.com", options.SuperuserEmail);
        Assert.Equal(2048, options.MaxBodyBytes);
        Assert.Equal(Path.Combine("/var/lib/fundament", "migrations"), options.MigrationsDirectory);
    }

    [Fact]
    public void Postgres_urls_become_connection_strings()
    {
        Assert.True(PostgresConnectionString.IsPostgres("postgresql://x/y"));
        Assert.True(PostgresConnectionString.IsPostgres("Host=x;Database=y"));
        Assert.False(PostgresConnectionString.IsPostgres("data.db"));
        var builder = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Normalize("postgres://me:p%40ss@db.local:6543/shop?sslmode=disable"));
        Assert.Equal("db.local", builder.Host);
        Assert.Equal(6543, builder.Port);
        Assert.Equal("shop", builder.Database);
        Assert.Equal("me", builder.Username);
        Assert.Equal("p@ss", builder.Password);
        Assert.Equal(SslMode.Disable, builder.SslMode);
        Assert.Equal("Host=a;Database=b", PostgresConnectionString.Normalize("Host=a;Database=b"));
        Assert.Equal(5432, new NpgsqlConnectionStringBuilder(PostgresConnectionString.Normalize("postgres://h/d")).Port);
    }
}
