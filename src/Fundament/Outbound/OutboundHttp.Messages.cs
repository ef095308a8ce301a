using System.Collections.Frozen;

namespace Fundament.Outbound;

public sealed partial class OutboundHttp
{
    private const int InitialBodyBufferBytes = 16 * 1024;

    // Headers that frame the message: the client writes them, a caller's value would corrupt or smuggle.
    private static readonly FrozenSet<string> FramingHeaders = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        "Host", "Connection", "Content-Length", "Transfer-Encoding", "Keep-Alive", "Upgrade", "TE", "Trailer", "Proxy-Connection");

    // Credentials meant for the origin the caller named, not for wherever it redirects.
    private static readonly FrozenSet<string> CredentialHeaders = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        "Authorization", "Proxy-Authorization", "Cookie");

    private static void CheckRequest(OutboundRequest request)
    {
        if (FindUrlProblem(request.Url) is { } problem)
        {
            throw Invalid($"the URL {problem}");
        }

        if (request.Timeout <= TimeSpan.Zero || request.Timeout > OutboundRequest.MaxTimeout)
        {
            throw Invalid($"the timeout must be more than 0 and at most {OutboundRequest.MaxTimeout.TotalSeconds:0} s");
        }

        if (request.MaxResponseBytes is < 0 or > OutboundRequest.MaxResponseBytesLimit)
        {
            throw Invalid($"the response limit must be between 0 and {OutboundRequest.MaxResponseBytesLimit} bytes");
        }

        if (request.ContentType is { } contentType && !IsHeaderValue(contentType))
        {
            throw Invalid("the content type must be printable ASCII");
        }

        foreach (var (name, value) in request.Headers)
        {
            if (!IsToken(name))
            {
                throw Invalid("a header name is not a valid HTTP token");
            }

            if (FramingHeaders.Contains(name))
            {
                throw Invalid($"the {name} header is set by the client itself");
            }

            if (!IsHeaderValue(value))
            {
                throw Invalid($"the {name} header must be printable ASCII on one line");
            }
        }
    }

    private static OutboundException Invalid(string message) => new(OutboundFailure.InvalidRequest, message);

    private static HttpRequestMessage CreateMessage(OutboundRequest request, HttpMethod method, Uri url, byte[]? body, bool sameOrigin)
    {
        var message = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            message.Content = new ByteArrayContent(body);
            if (request.ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
            }
        }

        foreach (var (name, value) in request.Headers)
        {
            if (!sameOrigin && CredentialHeaders.Contains(name))
            {
                continue;
            }

            if (!message.Headers.TryAddWithoutValidation(name, value) && message.Content is { } content)
            {
                content.Headers.Remove(name); // a Content-* header: it belongs on the body and overrides ContentType
                content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return message;
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes; the rest of the body is never read.</summary>
    private static async Task<(ReadOnlyMemory<byte> Body, bool Truncated)> ReadBodyAsync(
        HttpResponseMessage response, int limit, Uri url, CancellationToken cancellationToken)
    {
        long? length = response.Content.Headers.ContentLength;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[Math.Min(limit, length ?? InitialBodyBufferBytes)];
            int filled = 0;
            while (filled < limit)
            {
                if (filled == buffer.Length)
                {
                    Array.Resize(ref buffer, (int)Math.Min(limit, Math.Max(InitialBodyBufferBytes, buffer.Length * 2L)));
                }

                int read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                if (read == 0)
                {
                    return (buffer.AsMemory(0, filled), false);
                }

                filled += read;
            }

            // The limit is reached; a declared length, or else one more byte, tells whether anything was left out.
            bool truncated = length is { } declared
                ? declared > limit
                : await stream.ReadAsync(new byte[1], cancellationToken) > 0;
            return (buffer, truncated);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new OutboundException(OutboundFailure.ProtocolError, $"the response from {Origin(url)} broke off", e);
        }
    }

    private static Dictionary<string, string> CollectHeaders(HttpResponseMessage response)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers.NonValidated)
        {
            headers[name] = values.ToString();
        }

        foreach (var (name, values) in response.Content.Headers.NonValidated)
        {
            headers[name] = values.ToString();
        }

        return headers;
    }

    private static bool IsToken(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsHeaderValue(string value)
    {
        foreach (char c in value)
        {
            if (c is not ('\t' or (>= ' ' and <= '~')))
            {
                return false;
            }
        }

        return true;
    }
}
