namespace Fundament.Outbound;

/// <summary>Why an outbound call produced no response; carried by <see cref="OutboundException"/>.</summary>
public enum OutboundFailure
{
    /// <summary>The request itself is unusable: bad URL or scheme, user info in the URL, a bad header, timeout or size out of range.</summary>
    InvalidRequest,

    /// <summary>Every address the host resolves to is loopback, private, link-local or otherwise not public.</summary>
    Refused,

    /// <summary>The host name could not be resolved.</summary>
    DnsFailure,

    /// <summary>No allowed address accepted the TCP connection (refused, unreachable, TLS handshake failed).</summary>
    ConnectFailed,

    /// <summary>The whole call — connects, redirects and reading the body — took longer than the request's timeout.</summary>
    Timeout,

    /// <summary>More redirects than <see cref="OutboundHttp.MaxRedirects"/>.</summary>
    TooManyRedirects,

    /// <summary>A redirect without a usable target: not http/https, user info, or a downgrade from https to http.</summary>
    BadRedirect,

    /// <summary>The connection broke or the peer sent something that is not HTTP.</summary>
    ProtocolError,
}
