using System.Diagnostics.CodeAnalysis;

namespace Fundament.Email;

/// <summary>
/// An address split into what goes on the wire: the bare <c>local@domain</c> for the SMTP envelope and API
/// payloads, and an optional display name for headers.
/// </summary>
/// <remarks>
/// Deliberately narrower than RFC 5322: a dot-atom local part and a host-name domain, ASCII only (non-ASCII
/// addresses need SMTPUTF8, which we do not speak), and no control characters anywhere — a CR or LF in an
/// address is how header and SMTP command injection starts.
/// </remarks>
internal sealed record EmailAddress(string? DisplayName, string Address)
{
    private const int MaxLocalLength = 64;
    private const int MaxAddressLength = 254;
    private const string AtomSpecials = "!#$%&'*+-/=?^_`{|}~";

    public string Domain => Address[(Address.LastIndexOf('@') + 1)..];

    /// <summary>Parses or throws a permanent <see cref="EmailSendException"/> naming the field.</summary>
    public static EmailAddress Parse(string? value, string field) =>
        TryParse(value, out var address, out string? error) ? address : throw new EmailSendException($"The {field} address {error}", permanent: true);

    public static bool TryParse(string? value, [NotNullWhen(true)] out EmailAddress? address, [NotNullWhen(false)] out string? error)
    {
        address = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = "is empty";
            return false;
        }

        if (MimeText.HasControlCharacter(value))
        {
            error = "contains a control character";
            return false;
        }

        string text = value.Trim();
        string? displayName = null;
        int open = text.LastIndexOf('<');
        if (text.EndsWith('>') && open >= 0)
        {
            string name = text[..open].Trim();
            if (!IsQuoted(name) && name.AsSpan().ContainsAny('<', '>'))
            {
                // "Ada <ada@example.com> <eve@example.com>": which one was meant is anyone's guess.
                error = "has more than one <address>";
                return false;
            }

            displayName = IsQuoted(name) ? Unquote(name) : name;
            text = text[(open + 1)..^1].Trim();
        }

        error = CheckAddress(text);
        if (error is not null)
        {
            return false;
        }

        address = new EmailAddress(string.IsNullOrEmpty(displayName) ? null : displayName, text);
        return true;
    }

    private static string? CheckAddress(string text)
    {
        int at = text.LastIndexOf('@');
        if (at <= 0 || at == text.Length - 1 || text.IndexOf('@') != at)
        {
            return "must look like name@example.com";
        }

        if (!System.Text.Ascii.IsValid(text))
        {
            return "must be ASCII (internationalised addresses are not supported)";
        }

        if (text.Length > MaxAddressLength || at > MaxLocalLength)
        {
            return "is too long";
        }

        string local = text[..at];
        if (local.StartsWith('.') || local.EndsWith('.') || local.Contains("..", StringComparison.Ordinal) ||
            !local.All(c => char.IsAsciiLetterOrDigit(c) || c == '.' || AtomSpecials.Contains(c)))
        {
            return "has an unsupported local part";
        }

        foreach (string label in text[(at + 1)..].Split('.'))
        {
            if (label.Length is 0 or > 63 || label.StartsWith('-') || label.EndsWith('-') || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return "has an invalid domain";
            }
        }

        return null;
    }

    private static bool IsQuoted(string name) => name.Length >= 2 && name.StartsWith('"') && name.EndsWith('"');

    private static string Unquote(string name) =>
        name[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
}
