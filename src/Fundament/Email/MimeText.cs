using System.Text;

namespace Fundament.Email;

/// <summary>
/// The encodings that keep a message 7-bit clean: RFC 2047 encoded words for non-ASCII header text and
/// RFC 2045 quoted-printable for the body, so no server along the way needs 8BITMIME or SMTPUTF8.
/// </summary>
internal static class MimeText
{
    // RFC 2045 §6.7: encoded lines are at most 76 characters, the soft-break '=' included.
    private const int MaxQuotedPrintableLine = 75;

    // RFC 2047 §2: a line holding encoded words is at most 76 characters; after the folding space and the
    // "=?utf-8?B?" "?=" wrapping, 60 base64 characters are left, which carry 45 bytes.
    private const int MaxEncodedLine = 76;
    private const int MaxEncodedWordBytes = 45;

    // RFC 5322 §2.1.1 asks for lines of at most 78 characters; longer ASCII words go out as encoded words.
    private const int MaxFoldedLine = 78;

    /// <summary>True when the text holds a C0 control character or DEL — CR and LF above all.</summary>
    public static bool HasControlCharacter(string text)
    {
        foreach (char c in text)
        {
            if (c < 0x20 || c == 0x7F)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Formats an unstructured header (Subject), folded, encoding it when it is not plain ASCII.</summary>
    public static string Unstructured(string name, string value)
    {
        var line = new StringBuilder(name).Append(':');
        if (NeedsEncoding(value))
        {
            AppendEncodedWords(line, value);
            return line.ToString();
        }

        int lineStart = 0;
        bool lineHasWord = false;
        foreach (string word in value.Split(' '))
        {
            // Folding inserts CRLF before the space, so the space itself survives unfolding (RFC 5322 §3.2.2);
            // never before an empty word, which would leave a line of only whitespace.
            if (lineHasWord && word.Length > 0 && line.Length - lineStart + 1 + word.Length > MaxFoldedLine)
            {
                line.Append("\r\n");
                lineStart = line.Length;
            }

            line.Append(' ').Append(word);
            lineHasWord = true;
        }

        return line.ToString();
    }

    /// <summary>Formats an address header: <c>"Name" &lt;a@b&gt;</c>, with the name encoded when it must be.</summary>
    public static string Address(string name, EmailAddress address)
    {
        var line = new StringBuilder(name).Append(':');
        if (address.DisplayName is { } displayName)
        {
            if (NeedsEncoding(displayName))
            {
                AppendEncodedWords(line, displayName);
            }
            else
            {
                line.Append(" \"").Append(displayName.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
            }

            // The address goes on a line of its own when it would push this one past the limit.
            int column = line.Length - (line.ToString().LastIndexOf('\n') + 1);
            line.Append(column + 2 + address.Address.Length + 1 > MaxEncodedLine ? "\r\n <" : " <").Append(address.Address).Append('>');
        }
        else
        {
            line.Append(' ').Append(address.Address);
        }

        return line.ToString();
    }

    /// <summary>Appends text as quoted-printable with CRLF hard breaks wherever the text had a line break.</summary>
    public static void AppendQuotedPrintable(StringBuilder output, string text)
    {
        string[] lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (i > 0)
            {
                output.Append("\r\n");
            }

            byte[] bytes = Encoding.UTF8.GetBytes(lines[i]);
            int length = 0;
            for (int j = 0; j < bytes.Length; j++)
            {
                byte b = bytes[j];
                // Trailing spaces and tabs are encoded because transports strip them (RFC 2045 §6.7 rule 3).
                bool literal = b is >= 33 and <= 126 and not (byte)'=' || (b is (byte)' ' or (byte)'\t' && j < bytes.Length - 1);
                int width = literal ? 1 : 3;
                if (length + width > MaxQuotedPrintableLine)
                {
                    output.Append("=\r\n");
                    length = 0;
                }

                if (literal)
                {
                    output.Append((char)b);
                }
                else
                {
                    output.Append('=').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                }

                length += width;
            }
        }
    }

    private static bool NeedsEncoding(string value)
    {
        if (!Ascii.IsValid(value) || value.Contains("=?", StringComparison.Ordinal))
        {
            // "=?" in plain text would be read back as the start of an encoded word.
            return true;
        }

        foreach (string word in value.Split(' '))
        {
            if (word.Length > MaxFoldedLine - 2)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Appends UTF-8 'B' encoded words, folding between them, never splitting a character between two.</summary>
    private static void AppendEncodedWords(StringBuilder line, string value)
    {
        Span<byte> chunk = stackalloc byte[MaxEncodedWordBytes];
        bool first = true;
        int budget = WordBudget(line.Length + 1);
        int used = 0;
        foreach (var rune in value.EnumerateRunes())
        {
            if (used + rune.Utf8SequenceLength > budget)
            {
                AppendWord(line, chunk[..used], first);
                first = false;
                budget = WordBudget(1);
                used = 0;
            }

            used += rune.EncodeToUtf8(chunk[used..]);
        }

        AppendWord(line, chunk[..used], first);
    }

    /// <summary>
    /// Bytes one encoded word may carry when it starts at this column: RFC 2047 §2 limits a line holding
    /// encoded words to 76 characters, and "=?utf-8?B?" with "?=" take 12 of them.
    /// </summary>
    private static int WordBudget(int column) => Math.Min(MaxEncodedWordBytes, (MaxEncodedLine - column - 12) / 4 * 3);

    private static void AppendWord(StringBuilder line, ReadOnlySpan<byte> bytes, bool first)
    {
        // Whitespace between adjacent encoded words is dropped when decoding (RFC 2047 §6.2), so folding is free.
        line.Append(first ? " " : "\r\n ").Append("=?utf-8?B?").Append(Convert.ToBase64String(bytes)).Append("?=");
    }
}
