using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Fundament.Toolkit;

/// <summary>
/// Salted PBKDF2-HMAC-SHA512 at 210,000 iterations (the OWASP 2023+ figure for SHA-512), in the
/// self-describing form <c>pbkdf2-sha512$210000$salt$hash</c> so the cost can be raised later and
/// old hashes still verify.
/// </summary>
public static class PasswordHash
{
    public const int Iterations = 210_000;
    private const string Scheme = "pbkdf2-sha512";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>
    /// A hash of no one's password, verified when an account does not exist so that a login takes
    /// as long for an unknown email as for a wrong password.
    /// </summary>
    public static readonly string Decoy = Create(Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)));

    public static string Create(string password)
    {
        byte[] salt = RandomNumberGenerator.GetBytes(SaltBytes);
        byte[] hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA512, HashBytes);
        return string.Join('$', Scheme, Iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    /// <summary>Checks a password in constant time with respect to the stored hash.</summary>
    public static bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out int iterations) || iterations < 1)
        {
            return false;
        }

        try
        {
            byte[] salt = Convert.FromBase64String(parts[2]);
            byte[] expected = Convert.FromBase64String(parts[3]);
            byte[] actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA512, expected.Length);
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
