using System.Security.Cryptography;
using System.Text;

namespace Fundament.Toolkit;

/// <summary>
/// The at-rest form of high-entropy secrets (refresh tokens, API keys, email tokens): SHA-256 in hex.
/// A plain hash is enough because the secrets carry 256 random bits — there is nothing to brute-force,
/// unlike passwords, which use <see cref="PasswordHash"/>.
/// </summary>
public static class SecretHash
{
    public static string Of(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
