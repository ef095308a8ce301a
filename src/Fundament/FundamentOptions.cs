using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Fundament;

/// <summary>
/// Start-up settings, bound from the <c>Fundament</c> section of configuration (appsettings.json)
/// and from <c>FUNDAMENT_*</c> environment variables (<see cref="FundamentConfiguration"/>).
/// Everything has a default, so <c>fundament serve</c> needs no configuration.
/// </summary>
public sealed class FundamentOptions
{
    public const string Section = "Fundament";
    public const string DefaultDataDirectory = "fundament_data";
    public const string DefaultHttp = "127.0.0.1:8090";
    public const long DefaultMaxBodyBytes = 1024 * 1024;
    public const int DefaultMaxBatchOperations = 100;
    public const int DefaultMaxPageSize = 500;
    public const int DefaultPageSize = 20;
    public const int DefaultAccessTokenMinutes = 15;
    public const int DefaultAuthRequestsPerMinute = 30;
    public const int DefaultReadCacheMegabytes = 64;

    /// <summary>Where the SQLite database, migration files and keys live.</summary>
    [Required]
    public string DataDirectory { get; set; } = DefaultDataDirectory;

    /// <summary>A PostgreSQL URL or connection string; empty means SQLite in the data directory.</summary>
    public string? Database { get; set; }

    /// <summary>The address to listen on, <c>host:port</c>.</summary>
    [Required]
    public string Http { get; set; } = DefaultHttp;

    /// <summary>
    /// With <see cref="SuperuserPassword"/>: the superuser created on start when there is none yet
    /// (<c>FUNDAMENT_SUPERUSER_EMAIL</c> / <c>FUNDAMENT_SUPERUSER_PASSWORD</c>).
    /// </summary>
    public string? SuperuserEmail { get; set; }

    public string? SuperuserPassword { get; set; }

    /// <summary>The <c>iss</c> of access tokens; set it to the public URL when several nodes serve one API.</summary>
    [Required]
    public string TokenIssuer { get; set; } = "fundament";

    /// <summary>The <c>aud</c> access tokens are issued for and must carry.</summary>
    [Required]
    public string TokenAudience { get; set; } = "fundament-api";

    /// <summary>How long an access token lives; refresh tokens renew it.</summary>
    [Range(1, 1440)]
    public int AccessTokenMinutes { get; set; } = DefaultAccessTokenMinutes;

    /// <summary>Largest request body accepted, in bytes.</summary>
    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxBodyBytes { get; set; } = DefaultMaxBodyBytes;

    [Range(1, 10_000)]
    public int MaxBatchOperations { get; set; } = DefaultMaxBatchOperations;

    /// <summary>SQLite: fsync on every commit (FULL) rather than at checkpoints (NORMAL).</summary>
    public bool SqliteFullSync { get; set; } = true;

    /// <summary>Apply pending migrations when the server starts.</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>Origins allowed by CORS (<c>FUNDAMENT_CORS_ORIGINS</c>, comma-separated); <c>*</c> (the default) allows any.</summary>
    public string CorsOrigins { get; set; } = "*";

    /// <summary>Sign-in, refresh and sign-up requests allowed per client IP per minute.</summary>
    [Range(1, 100_000)]
    public int AuthRequestsPerMinute { get; set; } = DefaultAuthRequestsPerMinute;

    /// <summary>
    /// Lets outbound calls (HTTP jobs, webhook deliveries, email APIs) reach loopback, private, link-local
    /// and metadata addresses (<c>FUNDAMENT_ALLOW_PRIVATE_TARGETS</c>). Off by default: a server must not be
    /// turned into a proxy into its own network. Tests and local development switch it on.
    /// </summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>Memory for cached record reads (<c>FUNDAMENT_READ_CACHE_MEGABYTES</c>); 0 turns the read cache off.</summary>
    [Range(0, 64 * 1024)]
    public int ReadCacheMegabytes { get; set; } = DefaultReadCacheMegabytes;

    public string MigrationsDirectory => Path.Combine(DataDirectory, "migrations");

    public string SqlitePath => Path.Combine(DataDirectory, "data.db");
}

[OptionsValidator]
public sealed partial class FundamentOptionsValidator : IValidateOptions<FundamentOptions>;
