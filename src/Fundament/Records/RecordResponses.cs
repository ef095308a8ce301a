using System.Buffers;
using System.Text.Json;
using Fundament.Http;

namespace Fundament.Records;

/// <summary>Writes records inside the success envelope, straight to UTF-8 with no intermediate objects.</summary>
public static class RecordResponses
{
    private static readonly JsonEncodedText Success = JsonEncodedText.Encode("success");
    private static readonly JsonEncodedText Data = JsonEncodedText.Encode("data");
    private static readonly JsonEncodedText Meta = JsonEncodedText.Encode("meta");

    /// <summary>One record; its ETag is the hash of exactly the record's bytes.</summary>
    public static JsonBytesResult One(Record record, int status = 200, IReadOnlySet<string>? fields = null, string? location = null)
    {
        var shared = fields is null && record.Expand is null ? record.Json : null;
        var buffer = new ArrayBufferWriter<byte>((shared?.Length ?? 1000) + 24);
        using var writer = new Utf8JsonWriter(buffer);
        writer.WriteStartObject();
        writer.WriteBoolean(Success, true);
        writer.WritePropertyName(Data);
        writer.Flush();
        int start = buffer.WrittenCount;
        if (shared is not null)
        {
            // Already written for the change log (RecordJson.Shared): the same bytes.
            writer.WriteRawValue(shared, skipInputValidation: true);
        }
        else
        {
            RecordJson.Write(writer, record, fields);
        }

        writer.Flush();
        string etag = RecordJson.ETag(buffer.WrittenSpan[start..]);
        writer.WriteEndObject();
        writer.Flush();
        return new JsonBytesResult(status, buffer.WrittenMemory, etag, location);
    }

    /// <summary>A page of records with its meta; the ETag covers the whole body.</summary>
    public static JsonBytesResult Page(RecordPage page, ListQuery query)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using var writer = new Utf8JsonWriter(buffer);
        writer.WriteStartObject();
        writer.WriteBoolean(Success, true);
        writer.WriteStartArray(Data);
        foreach (var record in page.Records)
        {
            RecordJson.Write(writer, record, query.Fields);
        }

        writer.WriteEndArray();
        writer.WriteStartObject(Meta);
        if (query.Cursor is null)
        {
            writer.WriteNumber("page", query.Page);
        }

        writer.WriteNumber("limit", query.Limit);
        if (page.Total is { } total)
        {
            writer.WriteNumber("total", total);
        }

        if (query.Cursor is not null)
        {
            writer.WriteString("nextCursor", page.NextCursor);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.Flush();
        return new JsonBytesResult(200, buffer.WrittenMemory, RecordJson.ETag(buffer.WrittenSpan));
    }
}
