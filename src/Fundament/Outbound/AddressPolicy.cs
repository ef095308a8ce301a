using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Fundament.Outbound;

/// <summary>
/// Decides which IP addresses an outbound call may connect to when private targets are not allowed:
/// only globally routable unicast addresses. Pure, so the table of ranges is unit-tested directly.
/// </summary>
/// <remarks>
/// IPv4 refuses "this network" (0/8, which holds the unspecified address), RFC 1918, CGNAT (100.64/10),
/// loopback, link-local (169.254/16, which holds the cloud metadata address), the IETF, documentation,
/// benchmarking and 6to4-relay blocks, multicast, and 240/4 (reserved, which holds the broadcast address).
/// IPv6 is an allow-list: only global unicast (2000::/3) passes, minus Teredo, documentation ranges and the
/// forms that carry an IPv4 address, so ULA (fc00::/7, which holds fd00:ec2::254), link-local, site-local,
/// multicast and discard-only addresses are refused without listing them. The forms that embed an IPv4
/// address — mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96) and 6to4 (2002::/16) — are judged by that IPv4
/// address, since the packets end up there; the deprecated IPv4-compatible form (::/96, which holds
/// :: and ::1) and Teredo, whose client address is obfuscated, are refused outright.
/// </remarks>
public static class AddressPolicy
{
    private static readonly (uint Prefix, int Bits)[] RefusedV4 =
    [
        (V4(0, 0, 0, 0), 8),
        (V4(10, 0, 0, 0), 8),
        (V4(100, 64, 0, 0), 10),
        (V4(127, 0, 0, 0), 8),
        (V4(169, 254, 0, 0), 16),
        (V4(172, 16, 0, 0), 12),
        (V4(192, 0, 0, 0), 24),
        (V4(192, 0, 2, 0), 24),
        (V4(192, 88, 99, 0), 24),
        (V4(192, 168, 0, 0), 16),
        (V4(198, 18, 0, 0), 15),
        (V4(198, 51, 100, 0), 24),
        (V4(203, 0, 113, 0), 24),
        (V4(224, 0, 0, 0), 4),
        (V4(240, 0, 0, 0), 4),
    ];

    private static readonly UInt128 Nat64Prefix = (UInt128)0x0064_ff9b << 64;

    /// <summary>Returns true when <paramref name="address"/> is a public unicast address an outbound call may reach.</summary>
    /// <example><code>AddressPolicy.IsPublic(IPAddress.Parse("8.8.8.8"));          // true
    /// AddressPolicy.IsPublic(IPAddress.Parse("::ffff:10.0.0.1"));  // false</code></example>
    public static bool IsPublic(IPAddress address) => address.AddressFamily switch
    {
        AddressFamily.InterNetwork => IsPublicV4(ReadV4(address)),
        AddressFamily.InterNetworkV6 => IsPublicV6(ReadV6(address)),
        _ => false,
    };

    private static bool IsPublicV4(uint address)
    {
        foreach (var (prefix, bits) in RefusedV4)
        {
            uint mask = uint.MaxValue << (32 - bits);
            if ((address & mask) == prefix)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsPublicV6(UInt128 address)
    {
        UInt128 top96 = address >> 32;
        if (top96 == 0xFFFF || top96 == Nat64Prefix)
        {
            return IsPublicV4((uint)address);
        }

        if (address >> 112 == 0x2002)
        {
            return IsPublicV4((uint)(address >> 80));
        }

        if (address >> 125 != 1)
        {
            return false; // outside 2000::/3 — includes ::/96, ULA, link-local, site-local, multicast
        }

        uint top32 = (uint)(address >> 96);
        return top32 != 0x2001_0000 // Teredo, 2001::/32
            && top32 != 0x2001_0db8 // documentation, 2001:db8::/32
            && address >> 108 != 0x3FFF0; // documentation, 3fff::/20 (RFC 9637)
    }

    private static uint ReadV4(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    private static UInt128 ReadV6(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    private static uint V4(byte a, byte b, byte c, byte d) => ((uint)a << 24) | ((uint)b << 16) | ((uint)c << 8) | d;
}
