using System.Text;
using System.Text.RegularExpressions;

namespace Fundament.Tests.Email;

/// <summary>Reads back what <c>MimeMessage</c> writes: headers (RFC 2047 words decoded) and a quoted-printable body.</summary>
internal static partial class MimeReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static (Dictionary<string, string> Headers, string Body, string RawHead) Parse(string data)
    {
        int split = data.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(split > 0, "a blank line separates headers from the body");
        string head = data[..split];
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in FoldedLine().Replace(head, "").Split("\r\n"))
        {
            int colon = line.IndexOf(':');
            headers.Add(line[..colon], DecodeWords(line[(colon + 1)..].Trim()));
        }

        // The last CRLF ends the last line; the SMTP terminator is built on it (RFC 5321 §4.1.1.4).
        string body = data[(split + 4)..];
        return (headers, DecodeQuotedPrintable(body.EndsWith("\r\n", StringComparison.Ordinal) ? body[..^2] : body), head);
    }

    /// <summary>Decodes each encoded word on its own, strictly, which proves no character was split between two.</summary>
    public static string DecodeWords(string value) =>
        EncodedWord().Replace(value, match => StrictUtf8.GetString(Convert.FromBase64String(match.Groups[1].Value)));

    public static string DecodeQuotedPrintable(string body)
    {
        Assert.All(body.Split("\r\n"), line => Assert.True(line.Length <= 76, $"quoted-printable line too long: {line}"));
        string joined = body.Replace("=\r\n", "", StringComparison.Ordinal);
        var bytes = new List<byte>();
        for (int i = 0; i < joined.Length; i++)
        {
            if (joined[i] == '=')
            {
                bytes.Add(Convert.ToByte(joined.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.Add((byte)joined[i]);
            }
        }

        return StrictUtf8.GetString([.. bytes]).Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    // Unfolding: CRLF before whitespace goes; the whitespace between adjacent encoded words goes with it below.
    [GeneratedRegex(@"\r\n(?=[ \t])")]
    private static partial Regex FoldedLine();

    [GeneratedRegex(@"=\?utf-8\?B\?([A-Za-z0-9+/=]*)\?=(?:[ \t]+(?==\?))?")]
    private static partial Regex EncodedWord();
}
