using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Fundament.Http;

namespace Fundament.Webhooks.Inbound;

/// <summary>
/// A verified event: its id, the body exactly as signed, and that body as a value for records and jobs —
/// the parsed JSON when the body is JSON, otherwise the text as a JSON string (form posts, plain text).
/// </summary>
internal sealed class InboundEvent
{
    private InboundEvent(string id, ReadOnlyMemory<byte> body, string text, bool isJson, string? type)
    {
        Id = id;
        Body = body;
        Text = text;
        IsJson = isJson;
        Type = type;
    }

    public string Id { get; }

    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The body as text, stored in the event log exactly as received.</summary>
    public string Text { get; }

    public bool IsJson { get; }

    /// <summary>
    /// The body's top-level <c>"type"</c> string when it has one: Stripe (<c>invoice.paid</c>) and Standard
    /// Webhooks (<c>user.created</c>) both put the event type there, inside the signed bytes.
    /// </summary>
    public string? Type { get; }

    /// <summary>
    /// Reads a verified body. It must be UTF-8 without NUL characters, literal or escaped as <c>\u0000</c>:
    /// the event log keeps it as text, and PostgreSQL's text and jsonb cannot hold NUL. Refusing it on both
    /// databases keeps SQLite and PostgreSQL installations answering alike.
    /// </summary>
    public static Outcome<InboundEvent> Read(string id, ReadOnlyMemory<byte> body)
    {
        if (!Utf8.IsValid(body.Span))
        {
            return ApiError.Validation("body", "must be UTF-8 text");
        }

        if (body.Span.IndexOf((byte)0) >= 0)
        {
            return ApiError.Validation("body", "must not contain NUL characters");
        }

        if (id.Contains('\0', StringComparison.Ordinal))
        {
            return ApiError.Validation("eventId", "must not contain NUL characters");
        }

        string text = Encoding.UTF8.GetString(body.Span);
        if (body.IsEmpty)
        {
            return new InboundEvent(id, body, text, isJson: false, type: null);
        }

        // The same checks as a JSON request body (depth, escapes); a body that fails them is kept as text.
        var parsed = JsonBody.Parse(body);
        if (!parsed.IsSuccess)
        {
            return new InboundEvent(id, body, text, isJson: false, type: null);
        }

        using var document = parsed.Value;
        if (text.Contains("\\u0000", StringComparison.Ordinal))
        {
            return ApiError.Validation("body", "must not contain \\u0000 escapes");
        }

        var root = document.RootElement;
        string? type = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
        return new InboundEvent(id, body, text, isJson: true, type);
    }

    /// <summary>Writes the event as a JSON value: the body itself when it is JSON, else the body as a string.</summary>
    public void WriteValue(Utf8JsonWriter writer)
    {
        if (IsJson)
        {
            // Already parsed by JsonBody.Parse with the same limits, so it is known to be one valid value.
            writer.WriteRawValue(Body.Span, skipInputValidation: true);
        }
        else
        {
            writer.WriteStringValue(Text);
        }
    }
}
