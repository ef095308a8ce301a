using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Fundament.Toolkit;

/// <summary>Record ids: UUIDv7 (time-ordered, so ids sort by creation) in lower-case canonical text.</summary>
public static class Uuids
{
    private const int RandomBytesPerId = 10;

    // 4 KiB of CSPRNG output per refill: Guid.CreateVersion7 made one read of /dev/urandom per id, and
    // every request takes one (its request id), every create another.
    private const int PoolBytes = 4_096;

    [ThreadStatic]
    private static byte[]? t_pool;

    // Unused bytes left at the end of t_pool; 0 on a new thread, so its first id fills the pool.
    [ThreadStatic]
    private static int t_left;

    public static string NewV7() => NewV7Guid().ToString("D");

    /// <summary>
    /// A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits from a per-thread buffer of
    /// <see cref="RandomNumberGenerator"/> output, with the version and variant bits set.
    /// </summary>
    public static Guid NewV7Guid()
    {
        Span<byte> bytes = stackalloc byte[16];
        long milliseconds = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        BinaryPrimitives.WriteInt64BigEndian(bytes[..8], milliseconds << 16);
        TakeRandom(bytes[6..]);
        bytes[6] = (byte)(0x70 | (bytes[6] & 0x0F));
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>Accepts any UUID spelling .NET parses and returns the canonical lower-case form.</summary>
    public static bool TryNormalize(string text, out string canonical)
    {
        if (text.Length is >= 32 and <= 38 && Guid.TryParse(text, out var guid))
        {
            canonical = guid.ToString("D");
            return true;
        }

        canonical = string.Empty;
        return false;
    }

    private static void TakeRandom(Span<byte> destination)
    {
        var pool = t_pool ??= new byte[PoolBytes];
        if (t_left < RandomBytesPerId)
        {
            RandomNumberGenerator.Fill(pool);
            t_left = PoolBytes;
        }

        var taken = pool.AsSpan(PoolBytes - t_left, RandomBytesPerId);
        taken.CopyTo(destination);
        // Handed-out bytes are wiped, so the buffer holds only random bytes no id has shown yet.
        taken.Clear();
        t_left -= RandomBytesPerId;
    }
}
