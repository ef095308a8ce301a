using System.Security.Cryptography;
using System.Text;
using Fundament.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fundament.Identity;

/// <summary>
/// The superuser key that guards schema changes until full identity (users, tokens, API keys)
/// replaces it. Sent as <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Api-Key</c>, compared in constant time.
/// When configuration gives none, a random key is generated once and kept in <c>admin.key</c> in the
/// data directory with owner-only permissions; its path, never its value, is logged.
/// </summary>
public sealed partial class AdminKey
{
    public const string FileName = "admin.key";
    public const string ApiKeyHeader = "X-Api-Key";

    private readonly byte[] _keyHash;

    public AdminKey(FundamentOptions options, ILogger<AdminKey> logger)
    {
        string key = options.AdminKey is { Length: > 0 } configured ? configured : LoadOrCreate(options.DataDirectory, logger);
        _keyHash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
    }

    /// <summary>Reads the key file, creating it with a fresh random key when missing.</summary>
    public static string LoadOrCreate(string dataDirectory, ILogger? logger = null)
    {
        string path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        Directory.CreateDirectory(dataDirectory);
        string key = "fsk_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(path, Encoding.UTF8, fileOptions))
        {
            writer.Write(key);
        }

        if (logger is not null)
        {
            LogCreated(logger, Path.GetFullPath(path));
        }

        return key;
    }

    /// <summary>
    /// Resolves the caller: superuser with the right key, anonymous without credentials, and a 401 for
    /// credentials that do not match (a wrong key is never silently treated as anonymous).
    /// </summary>
    public Outcome<Caller> Authenticate(HttpRequest request)
    {
        string? presented = null;
        string authorization = request.Headers.Authorization.ToString();
        if (authorization.Length > 0)
        {
            if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                return ApiError.Unauthorized("Unsupported authorization scheme; use Bearer");
            }

            presented = authorization[7..].Trim();
        }
        else if (request.Headers.TryGetValue(ApiKeyHeader, out var apiKey))
        {
            presented = apiKey.ToString().Trim();
        }

        if (presented is null)
        {
            return Caller.Anonymous;
        }

        byte[] presentedHash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        return CryptographicOperations.FixedTimeEquals(presentedHash, _keyHash)
            ? Caller.Superuser
            : ApiError.Unauthorized("Invalid credentials");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Generated a superuser key in {Path}; keep it secret")]
    private static partial void LogCreated(ILogger logger, string path);
}
