using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace Fundament.Http.RateLimiting;

/// <summary>
/// The client address an anonymous caller's budget is keyed by: the connection's address, or — when
/// that is a trusted proxy (<see cref="RateLimitOptions.TrustedProxies"/>) — the nearest address in
/// <c>X-Forwarded-For</c> that is not itself a trusted proxy. IPv6 clients are keyed by their /64,
/// the block one subscriber is usually given, so rotating through it does not buy fresh budgets.
/// </summary>
public sealed class ClientAddress
{
    public const string ForwardedForHeader = "X-Forwarded-For";

    /// <summary>The key of requests without an IP address (in-process test servers, Unix sockets).</summary>
    public const string Unknown = "unknown";

    private readonly IPNetwork[] _trusted;

    public ClientAddress(RateLimitOptions options)
    {
        if (!TryParseNetworks(options.TrustedProxies, out _trusted, out string error))
        {
            throw new FormatException(error);
        }
    }

    /// <summary>The bucket key for the client of this request.</summary>
    public string Key(HttpContext context) => Find(context) is { } address ? KeyOf(address) : Unknown;

    /// <summary>The client's address, as far as it can be believed.</summary>
    public IPAddress? Find(HttpContext context)
    {
        var address = Normalize(context.Connection.RemoteIpAddress);
        if (address is null || !IsTrusted(address))
        {
            return address;
        }

        // Each proxy appends the address it received from, so walk from the right and stop at the first hop
        // no trusted proxy vouches for; anything left of it was written by the client and proves nothing.
        var hops = context.Request.Headers[ForwardedForHeader].ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        for (int i = hops.Length - 1; i >= 0; i--)
        {
            if (!IPAddress.TryParse(hops[i], out var hop))
            {
                return address;
            }

            address = Normalize(hop)!;
            if (!IsTrusted(address))
            {
                return address;
            }
        }

        return address;
    }

    /// <summary>IPv4 as written; IPv6 as its /64 network.</summary>
    public static string KeyOf(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    /// <summary>Parses a comma-separated list of addresses and CIDR ranges.</summary>
    public static bool TryParseNetworks(string? text, out IPNetwork[] networks, out string error)
    {
        var parsed = new List<IPNetwork>();
        foreach (string entry in (text ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (IPNetwork.TryParse(entry, out var network))
            {
                parsed.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var single))
            {
                single = Normalize(single)!;
                parsed.Add(new IPNetwork(single, single.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                networks = [];
                error = $"'{entry}' is not an IP address or a CIDR range such as 10.0.0.0/8";
                return false;
            }
        }

        networks = [.. parsed];
        error = string.Empty;
        return true;
    }

    private bool IsTrusted(IPAddress address)
    {
        foreach (var network in _trusted)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private static IPAddress? Normalize(IPAddress? address) =>
        address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
}
