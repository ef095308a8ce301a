using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Fundament.Webhooks.Inbound;

/// <summary>
/// Plain body HMACs in the GitHub style: <c>X-Signature-256</c> or, when that is absent,
/// <c>X-Hub-Signature-256</c> (GitHub's name), holding <c>sha256=&lt;hex&gt;</c> or bare hex of
/// HMAC-SHA256(secret as UTF-8, raw body). The first header present is the one checked.
/// </summary>
/// <remarks>
/// The scheme signs neither a timestamp nor an id, so nothing bounds a replay in time: deduplication is the
/// only defence, and it must key on signed bytes. The event id is therefore the body's SHA-256
/// (<c>sha256:&lt;hex&gt;</c>), not an unsigned header such as <c>X-GitHub-Delivery</c>, which a replayer
/// could change at will. A sender that redelivers an identical body is deduplicated as the same event.
/// </remarks>
internal sealed class HmacSha256Verifier : IInboundVerifier
{
    public const string SignatureHeader = "X-Signature-256";
    public const string GitHubSignatureHeader = "X-Hub-Signature-256";
    public const string Prefix = "sha256=";
    public const int MaxSecretLength = 1024;

    private const int MacBytes = HMACSHA256.HashSizeInBytes;

    private readonly byte[][] keys;

    private HmacSha256Verifier(byte[][] keys) => this.keys = keys;

    public string Name => InboundVerifiers.HmacSha256;

    /// <summary>Accepts one or more non-empty shared secrets (several while rotating), used as UTF-8 bytes.</summary>
    public static bool TryCreate(IReadOnlyList<string> secrets, [NotNullWhen(true)] out IInboundVerifier? verifier)
    {
        verifier = null;
        if (secrets.Count == 0)
        {
            return false;
        }

        var keys = new byte[secrets.Count][];
        for (int i = 0; i < keys.Length; i++)
        {
            if (string.IsNullOrEmpty(secrets[i]) || secrets[i].Length > MaxSecretLength)
            {
                return false;
            }

            keys[i] = Encoding.UTF8.GetBytes(secrets[i]);
        }

        verifier = new HmacSha256Verifier(keys);
        return true;
    }

    public InboundVerification Verify(IHeaderDictionary headers, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        var status = InboundHeaders.TryGetSingle(headers, SignatureHeader, out string header);
        if (status == SignatureStatus.MissingHeader)
        {
            status = InboundHeaders.TryGetSingle(headers, GitHubSignatureHeader, out header);
        }

        if (status == SignatureStatus.Valid)
        {
            status = Check(header, body);
        }

        return status == SignatureStatus.Valid
            ? InboundVerification.Valid(InboundVerification.BodyDigest(body))
            : InboundVerification.Failed(status);
    }

    private SignatureStatus Check(ReadOnlySpan<char> header, ReadOnlySpan<byte> body)
    {
        ReadOnlySpan<char> hex = header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) ? header[Prefix.Length..] : header;
        Span<byte> candidate = stackalloc byte[MacBytes];
        if (hex.Length != 2 * MacBytes || Convert.FromHexString(hex, candidate, out _, out _) != OperationStatus.Done)
        {
            return SignatureStatus.MalformedHeader;
        }

        Span<byte> mac = stackalloc byte[MacBytes];
        foreach (byte[] key in keys)
        {
            HMACSHA256.HashData(key, body, mac);
            if (CryptographicOperations.FixedTimeEquals(candidate, mac))
            {
                return SignatureStatus.Valid;
            }
        }

        return SignatureStatus.NoMatchingSignature;
    }
}
