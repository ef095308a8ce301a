using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Fundament.Realtime;

/// <summary>
/// The bytes of <c>text/event-stream</c> (https://html.spec.whatwg.org/multipage/server-sent-events.html).
/// An event is framed once and the same array is written to every subscriber that may see it.
/// </summary>
internal static class SseFrames
{
    /// <summary>A comment line: EventSource ignores it, proxies see traffic.</summary>
    public static readonly byte[] Ping = ": ping\n\n"u8.ToArray();

    /// <summary>
    /// <c>id: …</c> (left out when <paramref name="id"/> is null), <c>event: …</c> and the data. A line break
    /// inside the data — JSON may hold one as whitespace, from a json field — becomes a new <c>data:</c> line,
    /// which EventSource joins back with <c>\n</c>; otherwise the rest of the event would be cut off.
    /// </summary>
    public static byte[] Event(long? id, string eventName, Action<Utf8JsonWriter> data)
    {
        var payload = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(payload))
        {
            data(writer);
        }

        var frame = new ArrayBufferWriter<byte>(payload.WrittenCount + 64);
        if (id is { } value)
        {
            frame.Write("id: "u8);
            WriteNumber(frame, value);
            frame.Write("\n"u8);
        }

        frame.Write("event: "u8);
        frame.Write(Encoding.UTF8.GetBytes(eventName));
        frame.Write("\ndata: "u8);
        var rest = payload.WrittenSpan;
        int lineBreak;
        while ((lineBreak = rest.IndexOfAny((byte)'\r', (byte)'\n')) >= 0)
        {
            frame.Write(rest[..lineBreak]);
            frame.Write("\ndata: "u8);
            int skip = rest[lineBreak] == '\r' && lineBreak + 1 < rest.Length && rest[lineBreak + 1] == '\n' ? 2 : 1;
            rest = rest[(lineBreak + skip)..];
        }

        frame.Write(rest);
        frame.Write("\n\n"u8);
        return frame.WrittenSpan.ToArray();
    }

    /// <summary>A record event: <c>{"collection": …, "action": …, "record": {…}}</c> (shared/API.md, "Realtime").</summary>
    public static byte[] Record(long? id, string action, string collection, ReadOnlyMemory<byte> record) =>
        Event(id, action, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("collection"u8, collection);
            writer.WriteString("action"u8, action);
            writer.WritePropertyName("record"u8);
            writer.WriteRawValue(record.Span, skipInputValidation: true);
            writer.WriteEndObject();
        });

    /// <summary>Tells the client that changes it missed are no longer in the log, so it must reload what it shows.</summary>
    public static byte[] Refetch(long id, string reason) =>
        Event(id, ChangeActions.Refetch, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("action"u8, ChangeActions.Refetch);
            writer.WriteString("reason"u8, reason);
            writer.WriteEndObject();
        });

    /// <summary>The <c>retry:</c> hint and a comment, sent first so the client sees the stream is open.</summary>
    public static byte[] Opening(int retryMilliseconds)
    {
        var frame = new ArrayBufferWriter<byte>(32);
        frame.Write("retry: "u8);
        WriteNumber(frame, retryMilliseconds);
        frame.Write("\n: connected\n\n"u8);
        return frame.WrittenSpan.ToArray();
    }

    private static void WriteNumber(IBufferWriter<byte> writer, long value)
    {
        var span = writer.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out int written);
        writer.Advance(written);
    }
}
