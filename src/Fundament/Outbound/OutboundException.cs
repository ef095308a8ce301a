namespace Fundament.Outbound;

/// <summary>
/// The one exception <see cref="OutboundHttp.SendAsync"/> throws when there is no HTTP response to return.
/// Its <see cref="Exception.Message"/> is safe to store in a job's error log or show to an admin: URLs in it
/// are reduced to their origin (scheme, host, port), because user info, query strings and even paths
/// (Slack- and Discord-style webhook URLs) carry secrets. The raw cause, if any, is the inner exception;
/// log it, do not store it.
/// </summary>
public sealed class OutboundException : Exception
{
    public OutboundException(OutboundFailure failure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
    }

    public OutboundFailure Failure { get; }

    /// <summary>
    /// Returns true when trying again later may succeed (DNS, connection, timeout, broken response);
    /// false when the same request will fail the same way (invalid, refused, redirect problems).
    /// </summary>
    public bool IsRetryable => Failure is OutboundFailure.DnsFailure or OutboundFailure.ConnectFailed
        or OutboundFailure.Timeout or OutboundFailure.ProtocolError;
}
