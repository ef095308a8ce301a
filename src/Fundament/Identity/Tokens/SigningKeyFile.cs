using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;

namespace Fundament.Identity.Tokens;

/// <summary>
/// One key per file, <c>&lt;kid&gt;.json</c>: <c>{"kid","alg","crv","x","y","d","createdAt","retiredAt"?}</c>,
/// readable by the owner only and replaced atomically, so a crash never leaves half a key behind.
/// </summary>
internal static class SigningKeyFile
{
    public const string Extension = ".json";
    private const string TempExtension = ".tmp";

    public static string PathFor(string directory, string kid) => Path.Combine(directory, kid + Extension);

    public static void Write(string directory, SigningKey key)
    {
        var parameters = key.Ecdsa.ExportParameters(includePrivateParameters: true);
        var buffer = new ArrayBufferWriter<byte>(512);
        Span<char> encoded = stackalloc char[Base64Url.GetEncodedLength(SigningKey.CoordinateBytes)];
        try
        {
            using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteString("kid", key.Kid);
                json.WriteString("alg", SigningKey.Algorithm);
                json.WriteString("crv", SigningKey.Curve);
                json.WriteString("x", Base64Url.EncodeToString(key.X));
                json.WriteString("y", Base64Url.EncodeToString(key.Y));
                // The private scalar goes through a stack buffer rather than a string nobody can wipe.
                int written = Base64Url.EncodeToChars(parameters.D, encoded);
                json.WriteString("d", encoded[..written]);
                json.WriteString("createdAt", key.CreatedAt);
                if (key.RetiredAt is { } retiredAt)
                {
                    json.WriteString("retiredAt", retiredAt);
                }

                json.WriteEndObject();
            }

            string path = PathFor(directory, key.Kid);
            string temp = path + TempExtension;
            File.Delete(temp);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temp, options))
            {
                stream.Write(buffer.WrittenSpan);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(parameters.D);
            encoded.Clear();
            buffer.Clear();
        }
    }

    /// <summary>Reads a key; a damaged file stops start-up rather than silently minting a replacement.</summary>
    public static SigningKey Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        byte[]? d = null;
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            string kid = root.GetProperty("kid").GetString() ?? "";
            if (kid != Path.GetFileNameWithoutExtension(path)
                || root.GetProperty("alg").GetString() != SigningKey.Algorithm
                || root.GetProperty("crv").GetString() != SigningKey.Curve)
            {
                throw new InvalidDataException($"Signing key file '{path}' does not hold the ES256 key its name promises.");
            }

            d = Base64Url.DecodeFromChars(root.GetProperty("d").GetString());
            var parameters = new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint
                {
                    X = Base64Url.DecodeFromChars(root.GetProperty("x").GetString()),
                    Y = Base64Url.DecodeFromChars(root.GetProperty("y").GetString()),
                },
                D = d,
            };
            var createdAt = root.GetProperty("createdAt").GetDateTimeOffset();
            DateTimeOffset? retiredAt = root.TryGetProperty("retiredAt", out var retired) ? retired.GetDateTimeOffset() : null;
            // ECDsa.Create validates that the point lies on the curve and matches the private scalar.
            return new SigningKey(kid, ECDsa.Create(parameters), createdAt, retiredAt);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or CryptographicException)
        {
            throw new InvalidDataException($"Signing key file '{path}' is damaged: {e.Message}", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
            if (d is not null)
            {
                CryptographicOperations.ZeroMemory(d);
            }
        }
    }

    /// <summary>Removes temp files a crash left between writing and renaming.</summary>
    public static void DeleteLeftovers(string directory)
    {
        foreach (string temp in Directory.EnumerateFiles(directory, "*" + Extension + TempExtension))
        {
            File.Delete(temp);
        }
    }
}
