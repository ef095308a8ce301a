using System.Buffers;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace Fundament.Http;

/// <summary>
/// A JSON body that was written ahead of time (so its ETag is known before the headers go out).
/// Answers <c>304 Not Modified</c> to a GET whose <c>If-None-Match</c> names the ETag.
/// </summary>
public sealed class JsonBytesResult(int status, ReadOnlyMemory<byte> body, string? etag = null, string? location = null) : IResult, IEndpointMetadataProvider
{
    public int Status { get; } = status;

    public ReadOnlyMemory<byte> Body { get; } = body;

    public string? ETag { get; } = etag;

    public string? Location { get; } = location;

    /// <summary>Writes <c>{"success": true, "data": …}</c> with <paramref name="data"/> writing the value of <c>data</c>.</summary>
    public static JsonBytesResult Envelope(Action<Utf8JsonWriter> data, int status = StatusCodes.Status200OK, string? location = null)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("success", true);
            writer.WritePropertyName("data");
            data(writer);
            writer.WriteEndObject();
        }

        return new JsonBytesResult(status, buffer.WrittenMemory, location: location);
    }

    /// <summary>Writes <c>{"success": true, "data": […], "meta": {…}}</c>.</summary>
    public static JsonBytesResult List(Action<Utf8JsonWriter> data, Action<Utf8JsonWriter> meta)
    {
        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("success", true);
            writer.WritePropertyName("data");
            data(writer);
            writer.WriteStartObject("meta");
            meta(writer);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return new JsonBytesResult(StatusCodes.Status200OK, buffer.WrittenMemory);
    }

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        if (ETag is not null)
        {
            response.Headers.ETag = ETag;
            // Records are usually private: caches may keep them but must revalidate with the ETag.
            response.Headers.CacheControl = "private, no-cache";
            if (HttpMethods.IsGet(httpContext.Request.Method) && ETags.NoneMatchHits(httpContext.Request, ETag))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return Task.CompletedTask;
            }
        }

        if (Location is not null)
        {
            response.Headers.Location = Location;
        }

        response.StatusCode = Status;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = Body.Length;
        return response.Body.WriteAsync(Body).AsTask();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, null, [MediaTypeNames.ApplicationJson]));

    private static class MediaTypeNames
    {
        public const string ApplicationJson = "application/json";
    }
}
