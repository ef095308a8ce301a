using System.Text;

namespace Fundament.Outbound;

/// <summary>
/// The final response of an outbound call, after redirects. Any status is a response — a 500 is returned,
/// not thrown — so the caller decides what counts as delivered.
/// </summary>
/// <param name="Url">The URL that answered; it may carry secrets, so log <see cref="OutboundHttp.Origin"/> of it instead.</param>
/// <param name="Headers">Response and content headers, case-insensitive; repeated headers joined with <c>", "</c>.</param>
/// <param name="Body">At most <see cref="OutboundRequest.MaxResponseBytes"/> bytes of the body.</param>
/// <param name="Truncated">True when the body was longer than what was kept.</param>
/// <param name="Elapsed">From the start of the call to the end of reading, redirects included.</param>
/// <param name="Redirects">How many redirects were followed.</param>
public sealed record OutboundResponse(
    int StatusCode,
    Uri Url,
    IReadOnlyDictionary<string, string> Headers,
    ReadOnlyMemory<byte> Body,
    bool Truncated,
    TimeSpan Elapsed,
    int Redirects)
{
    /// <summary>How much of a body is worth keeping in a delivery or job log.</summary>
    public const int LogExcerptBytes = 4 * 1024;

    /// <summary>True for 2xx statuses.</summary>
    public bool IsSuccess => StatusCode is >= 200 and <= 299;

    public string? ContentType => Headers.GetValueOrDefault("Content-Type");

    /// <summary>Returns the kept body decoded as UTF-8.</summary>
    public string BodyText() => Encoding.UTF8.GetString(Body.Span);

    /// <summary>
    /// Returns at most <paramref name="maxBytes"/> bytes of the body as UTF-8, cut on a character boundary,
    /// for logs; a cut body ends with <c>…</c>.
    /// </summary>
    public string BodyExcerpt(int maxBytes = LogExcerptBytes)
    {
        var span = Body.Span;
        if (span.Length <= maxBytes)
        {
            return Truncated ? Encoding.UTF8.GetString(span) + "…" : Encoding.UTF8.GetString(span);
        }

        int end = maxBytes;
        while (end > 0 && (span[end] & 0xC0) == 0x80)
        {
            end--; // back off UTF-8 continuation bytes so the excerpt does not end in half a character
        }

        return Encoding.UTF8.GetString(span[..end]) + "…";
    }
}
