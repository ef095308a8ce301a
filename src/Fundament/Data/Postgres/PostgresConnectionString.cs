using Npgsql;

namespace Fundament.Data.Postgres;

/// <summary>Accepts both <c>postgres://user:pass@host:port/db?sslmode=…</c> URLs and Npgsql keyword strings.</summary>
public static class PostgresConnectionString
{
    public static bool IsPostgres(string value) =>
        value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) ||
        value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) ||
        value.Contains("Host=", StringComparison.OrdinalIgnoreCase);

    public static string Normalize(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || !uri.Scheme.StartsWith("postgres", StringComparison.OrdinalIgnoreCase))
        {
            return value;
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
        };
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
            {
                builder.Password = Uri.UnescapeDataString(parts[1]);
            }
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            if (kv.Length == 2)
            {
                builder[Uri.UnescapeDataString(kv[0]).Replace("sslmode", "SSL Mode", StringComparison.OrdinalIgnoreCase)] = Uri.UnescapeDataString(kv[1]);
            }
        }

        return builder.ConnectionString;
    }
}
