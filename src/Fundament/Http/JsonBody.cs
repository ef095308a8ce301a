using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Fundament.Http;

/// <summary>
/// Reads a JSON request body with every check done up front: media type (415), size (413, also
/// when the client lies about or omits Content-Length), UTF-8 and syntax (400), and nesting depth
/// (400). Handlers get a parsed document or the error to return.
/// </summary>
public static class JsonBody
{
    public const int MaxDepth = 32;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = MaxDepth };

    public static async Task<Outcome<JsonDocument>> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var options = request.HttpContext.RequestServices.GetRequiredService<FundamentOptions>();
        if (!IsJson(request.ContentType))
        {
            return ApiError.UnsupportedMediaType();
        }

        var bytes = await ReadBytesAsync(request, options.MaxBodyBytes, cancellationToken);
        return bytes.IsSuccess ? Parse(bytes.Value) : bytes.Error;
    }

    /// <summary>
    /// Reads the raw body up to <paramref name="limit"/> bytes (413 above it, also when the client lies about
    /// or omits Content-Length; 400 when the connection breaks). For callers that need the exact bytes, such
    /// as signature checks, as well as for JSON.
    /// </summary>
    public static async Task<Outcome<ReadOnlyMemory<byte>>> ReadBytesAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return ApiError.PayloadTooLarge(limit);
        }

        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(request.ContentLength ?? 4096, limit) + 1);
        try
        {
            var reader = request.BodyReader;
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                foreach (var segment in result.Buffer)
                {
                    if (buffer.WrittenCount + segment.Length > limit)
                    {
                        return ApiError.PayloadTooLarge(limit);
                    }

                    buffer.Write(segment.Span);
                }

                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return buffer.WrittenMemory;
                }
            }
        }
        catch (Exception ex) when (ex is BadHttpRequestException or IOException or InvalidOperationException)
        {
            return ApiError.BadRequest("The request body could not be read");
        }
    }

    /// <summary>Parses JSON text (also used for batch items and migration files).</summary>
    public static Outcome<JsonDocument> Parse(ReadOnlyMemory<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return ApiError.BadRequest("The request body is empty; send a JSON object");
        }

        // JsonDocument only notices broken UTF-8 inside strings when they are read, so check it all first.
        if (!System.Text.Unicode.Utf8.IsValid(utf8.Span))
        {
            return ApiError.BadRequest("The request body is not valid UTF-8");
        }

        try
        {
            var document = JsonDocument.Parse(utf8, DocumentOptions);
            if (utf8.Span.IndexOf("\\u"u8) >= 0 && !EscapesAreValid(utf8.Span))
            {
                document.Dispose();
                return ApiError.BadRequest("The request body contains an escaped lone surrogate (\\uD800–\\uDFFF), which is not valid Unicode text");
            }

            return document;
        }
        catch (JsonException ex)
        {
            string where = ex.LineNumber is { } line ? $" (line {line + 1}, position {ex.BytePositionInLine + 1})" : string.Empty;
            string reason = ex.Message.Contains("maximum configured depth", StringComparison.OrdinalIgnoreCase)
                ? $"nested deeper than {MaxDepth} levels"
                : "not valid JSON";
            return ApiError.BadRequest($"The request body is {reason}{where}");
        }
        catch (ArgumentException)
        {
            return ApiError.BadRequest("The request body is not valid UTF-8");
        }
    }

    // Escapes such as "\ud800" pass JSON syntax but are not text; finding them here keeps them from
    // failing later inside a handler or a database.
    private static bool EscapesAreValid(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped)
                {
                    _ = reader.GetString();
                }
            }

            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        var mediaType = contentType.AsSpan();
        int semicolon = mediaType.IndexOf(';');
        if (semicolon >= 0)
        {
            mediaType = mediaType[..semicolon];
        }

        mediaType = mediaType.Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
               (mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase) && mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase));
    }
}
