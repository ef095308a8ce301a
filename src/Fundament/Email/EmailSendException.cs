namespace Fundament.Email;

/// <summary>
/// A message could not be delivered. The message names the provider and its answer (never a password or key),
/// so it can be logged and shown to a superuser as it is.
/// </summary>
public sealed class EmailSendException : Exception
{
    public EmailSendException(string message, bool permanent, Exception? innerException = null)
        : base(message, innerException) => IsPermanent = permanent;

    /// <summary>
    /// True when retrying cannot help — a rejected recipient, bad credentials, an invalid message, an HTTP 4xx
    /// other than 429 or an SMTP 5xx — so a queue should dead-letter at once instead of backing off.
    /// </summary>
    public bool IsPermanent { get; }
}
