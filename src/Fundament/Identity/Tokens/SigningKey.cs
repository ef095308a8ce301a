using System.Buffers.Text;
using System.Security.Cryptography;

namespace Fundament.Identity.Tokens;

/// <summary>
/// One ES256 key pair of the <see cref="SigningKeyStore"/>. Immutable: retiring a key makes a new instance that
/// shares the same <see cref="ECDsa"/>, which the store owns and disposes.
/// </summary>
public sealed class SigningKey
{
    /// <summary>The only JWS algorithm Fundament signs and accepts (ECDSA P-256 with SHA-256, RFC 7518 §3.4).</summary>
    public const string Algorithm = "ES256";

    /// <summary>The JWK curve name of <see cref="Algorithm"/>.</summary>
    public const string Curve = "P-256";

    internal const int CoordinateBytes = 32;

    internal SigningKey(string kid, ECDsa ecdsa, DateTimeOffset createdAt, DateTimeOffset? retiredAt)
    {
        Kid = kid;
        Ecdsa = ecdsa;
        CreatedAt = createdAt;
        RetiredAt = retiredAt;
        // Kept so the JWKS endpoint never has to export from the key on each request.
        var publicPart = ecdsa.ExportParameters(includePrivateParameters: false);
        X = publicPart.Q.X!;
        Y = publicPart.Q.Y!;
    }

    public string Kid { get; }

    public DateTimeOffset CreatedAt { get; }

    /// <summary>When a newer key replaced this one; null while it is the current key.</summary>
    public DateTimeOffset? RetiredAt { get; }

    internal ECDsa Ecdsa { get; }

    internal byte[] X { get; }

    internal byte[] Y { get; }

    internal SigningKey RetiredOn(DateTimeOffset at) => new(Kid, Ecdsa, CreatedAt, at);

    /// <summary>A retired key still verifies tokens for <see cref="SigningKeyStore.RetiredKeyGrace"/>.</summary>
    internal bool VerifiesAt(DateTimeOffset now) => RetiredAt is not { } retired || now - retired < SigningKeyStore.RetiredKeyGrace;

    internal static SigningKey Generate(DateTimeOffset now)
    {
        // 96 random bits: unguessable and unique without coordination, 16 characters in a header.
        string kid = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(12));
        return new SigningKey(kid, ECDsa.Create(ECCurve.NamedCurves.nistP256), now, retiredAt: null);
    }
}
