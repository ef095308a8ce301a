using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Fundament.Records;

/// <summary>
/// Writes records as JSON: field names exactly as the collection defines them, hidden fields never,
/// an optional field selection, and expanded relations under <c>expand</c>.
/// </summary>
public static class RecordJson
{
    private static readonly JsonEncodedText ExpandName = JsonEncodedText.Encode("expand");

    public static void Write(Utf8JsonWriter writer, Record record, IReadOnlySet<string>? selection = null)
    {
        writer.WriteStartObject();
        var fields = record.Collection.Fields;
        var values = record.Values;
        for (int i = 0; i < fields.Count; i++)
        {
            var field = fields[i];
            if (field.Hidden || (selection is not null && !selection.Contains(field.Name)))
            {
                continue;
            }

            writer.WritePropertyName(field.JsonName);
            if (values[i] is { } value)
            {
                field.Type.Write(writer, field, value);
            }
            else
            {
                writer.WriteNullValue();
            }
        }

        if (record.Expand is { Count: > 0 } expand && (selection is null || selection.Contains("expand")))
        {
            writer.WritePropertyName(ExpandName);
            writer.WriteStartObject();
            foreach (var (name, target) in expand)
            {
                writer.WritePropertyName(name);
                if (target is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    Write(writer, target);
                }
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    /// <summary>The record alone, as UTF-8 JSON (used for ETags and idempotent replays).</summary>
    public static byte[] ToUtf8(Record record)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, record);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The record alone as UTF-8 JSON, written once and kept on the record: a write's change-log entry, its response
    /// and its ETag share one serialization. For records that no longer change, such as one just written; a record
    /// with expansions (which are filled in after it is read) is written anew every time.
    /// </summary>
    public static byte[] Shared(Record record) => record.Expand is null ? record.Json ??= ToUtf8(record) : ToUtf8(record);

    /// <summary>
    /// A strong ETag: a hash of the exact representation. It is the ETag of the plain record
    /// (no <c>fields</c>, no <c>expand</c>) that <c>If-Match</c> on writes is compared against.
    /// </summary>
    public static string ETag(ReadOnlySpan<byte> representation)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(representation, hash);
        return "\"" + Convert.ToBase64String(hash[..18]).Replace('+', '-').Replace('/', '_') + "\"";
    }

    public static string ETag(Record record) => ETag(ToUtf8(record));
}
