using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fundament.Identity.Tokens;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Identity.Tokens;

/// <summary>A key store in a fresh temp directory, a manual clock, and the means to forge tokens by hand.</summary>
internal sealed class TokenTestBed : IDisposable
{
    public const string Issuer = "https://fundament.test";
    public const string Audience = "fundament";

    public TokenTestBed(TimeProvider? clock = null)
    {
        Directory = Path.Combine(Path.GetTempPath(), "fundament-tokens-" + Guid.NewGuid().ToString("N"));
        Clock = clock ?? new ManualClock();
        Keys = SigningKeyStore.Open(Directory, Clock);
        Options = new AccessTokenOptions { Issuer = Issuer, Audience = Audience };
        Tokens = new AccessTokens(Keys, Options, Clock);
    }

    public string Directory { get; }

    public TimeProvider Clock { get; }

    public ManualClock ManualClock => (ManualClock)Clock;

    public SigningKeyStore Keys { get; private set; }

    public AccessTokenOptions Options { get; }

    public AccessTokens Tokens { get; private set; }

    public long Now => Clock.GetUtcNow().ToUnixTimeSeconds();

    public string Jwks()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Keys.WriteJwks(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Closes the store and opens it again from the same directory, as a restart would.</summary>
    public void Reopen()
    {
        Keys.Dispose();
        Keys = SigningKeyStore.Open(Directory, Clock);
        Tokens = new AccessTokens(Keys, Options, Clock);
    }

    /// <summary>A payload that passes every check now; tests change one thing in it.</summary>
    public Dictionary<string, object> ValidPayload() => new()
    {
        ["iss"] = Issuer,
        ["aud"] = Audience,
        ["sub"] = "user1",
        ["col"] = "users",
        ["iat"] = Now,
        ["nbf"] = Now,
        ["exp"] = Now + 900,
        ["jti"] = "forged",
    };

    public string Header(string alg = "ES256", string? kid = null) =>
        $$"""{"alg":"{{alg}}","typ":"JWT","kid":"{{kid ?? Keys.Current.Kid}}"}""";

    /// <summary>Signs header and payload JSON exactly as given, with the store's real current key.</summary>
    public string SignWithCurrentKey(string headerJson, string payloadJson) =>
        SignWith(Keys.Current.Ecdsa, headerJson, payloadJson);

    public string SignWithCurrentKey(Dictionary<string, object> payload) =>
        SignWithCurrentKey(Header(), JsonSerializer.Serialize(payload));

    public static string SignWith(ECDsa key, string headerJson, string payloadJson)
    {
        string input = Segment(headerJson) + "." + Segment(payloadJson);
        byte[] signature = key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return input + "." + Base64Url.EncodeToString(signature);
    }

    public static string Segment(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    public static string DecodeSegment(string segment) => Encoding.UTF8.GetString(Base64Url.DecodeFromChars(segment));

    public void Dispose()
    {
        Keys.Dispose();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
