using System.Net;
using System.Net.Sockets;

namespace Fundament.Outbound;

public sealed partial class OutboundHttp
{
    /// <summary>
    /// The handler's connect step: resolve, drop the addresses the policy refuses, connect to the first
    /// allowed one that answers. Doing the check here — not on the URL beforehand — means the address checked
    /// is the address connected to, whatever DNS answers the second time (rebinding) and whichever hop asked.
    /// </summary>
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        string host = context.DnsEndPoint.Host;
        int port = context.DnsEndPoint.Port;
        var addresses = await ResolveAsync(host, cancellationToken);
        SocketException? lastError = null;
        foreach (var address in addresses)
        {
            if (!_isAllowed(address))
            {
                continue;
            }

            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                lastError = e; // try the next address, as the default handler does
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        if (lastError is null)
        {
            // The refused addresses are not named: for a host name they would tell the reader of a job log
            // what an internal name resolves to.
            throw new OutboundException(OutboundFailure.Refused,
                $"{host} resolves only to addresses outbound calls may not reach (loopback, private, link-local or reserved); "
                + "FUNDAMENT_ALLOW_PRIVATE_TARGETS allows them");
        }

        throw new OutboundException(OutboundFailure.ConnectFailed, $"could not connect to {host}:{port} ({lastError.SocketErrorCode})", lastError);
    }

    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host.AsSpan().Trim("[]"), out var literal))
        {
            return [literal];
        }

        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
        }
        catch (SocketException e)
        {
            throw new OutboundException(OutboundFailure.DnsFailure, $"could not resolve {host} ({e.SocketErrorCode})", e);
        }

        return addresses.Length > 0
            ? addresses
            : throw new OutboundException(OutboundFailure.DnsFailure, $"{host} has no addresses");
    }
}
