using System.Globalization;
using System.Text;
using Fundament.Toolkit;

namespace Fundament.Email;

/// <summary>
/// Builds the RFC 5322 / MIME text of a plain-text message and frames it for SMTP DATA. Every header value
/// has been checked for CR and LF before it gets here, so no caller-supplied text can start a new header.
/// </summary>
internal static class MimeMessage
{
    /// <summary>Checks the parts of a message and throws a permanent <see cref="EmailSendException"/> when one is unusable.</summary>
    public static (EmailAddress From, EmailAddress To) Validate(string from, EmailMessage message)
    {
        if (MimeText.HasControlCharacter(message.Subject))
        {
            throw new EmailSendException("The subject contains a control character (CR and LF are not allowed in headers)", permanent: true);
        }

        return (EmailAddress.Parse(from, "sender"), EmailAddress.Parse(message.To, "recipient"));
    }

    /// <summary>The message with CRLF line ends, 7-bit ASCII throughout.</summary>
    public static string Compose(EmailAddress from, EmailAddress to, EmailMessage message, DateTimeOffset date)
    {
        var text = new StringBuilder();
        text.Append("Date: ").Append(date.UtcDateTime.ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture)).Append("\r\n");
        text.Append("Message-ID: <").Append(Uuids.NewV7Guid().ToString("N")).Append('@').Append(from.Domain).Append(">\r\n");
        text.Append(MimeText.Address("From", from)).Append("\r\n");
        text.Append(MimeText.Address("To", to)).Append("\r\n");
        text.Append(MimeText.Unstructured("Subject", message.Subject)).Append("\r\n");
        text.Append("MIME-Version: 1.0\r\n");
        text.Append("Content-Type: text/plain; charset=utf-8\r\n");
        text.Append("Content-Transfer-Encoding: quoted-printable\r\n");
        text.Append("\r\n");
        MimeText.AppendQuotedPrintable(text, message.Text);
        return text.Append("\r\n").ToString();
    }

    /// <summary>
    /// The bytes to send after <c>DATA</c>: a leading '.' doubled on every line (RFC 5321 §4.5.2) so no line of
    /// the message can end it early, then the <c>CRLF.CRLF</c> terminator.
    /// </summary>
    public static byte[] ToDataBytes(string composed)
    {
        if (!Ascii.IsValid(composed))
        {
            throw new InvalidOperationException("A composed message must be 7-bit ASCII.");
        }

        var output = new StringBuilder(composed.Length + 64);
        bool lineStart = true;
        foreach (char c in composed)
        {
            if (lineStart && c == '.')
            {
                output.Append('.');
            }

            output.Append(c);
            lineStart = c == '\n';
        }

        return Encoding.ASCII.GetBytes(output.Append(".\r\n").ToString());
    }
}
