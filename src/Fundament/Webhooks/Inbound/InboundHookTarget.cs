using System.Buffers;
using System.Text.Json;
using Fundament.Collections;
using Fundament.Collections.Fields;

namespace Fundament.Webhooks.Inbound;

/// <summary>
/// Where a hook writes its events as records: a base collection with a json field <c>payload</c> (the
/// event) and, when the collection has them, text fields <c>event_id</c>, <c>event_type</c> and
/// <c>hook</c>. Checked when a hook is saved and again for each event, because the collection can change
/// in between.
/// </summary>
internal static class InboundHookTarget
{
    public const string PayloadField = "payload";
    public const string EventIdField = "event_id";
    public const string EventTypeField = "event_type";
    public const string HookField = "hook";

    private static readonly string[] TextFields = [EventIdField, EventTypeField, HookField];

    /// <summary>Finds the collection, or says why events cannot be written to it.</summary>
    public static Collection? Find(SchemaSnapshot schema, string name, out string? problem)
    {
        var collection = schema.Find(name);
        problem = collection switch
        {
            null => $"must name an existing collection; there is no '{name}'",
            { IsAuth: true } => "must not be an auth collection",
            _ when collection.FindField(PayloadField) is not { Type: JsonField, IsSystem: false } =>
                $"must have a json field named '{PayloadField}' to hold the event",
            _ => FieldProblem(collection),
        };
        return problem is null ? collection : null;
    }

    /// <summary>The record for an event: only the fields the collection has, so an optional one can be left out.</summary>
    public static JsonDocument RecordBody(Collection collection, InboundEvent inbound, string hook)
    {
        var buffer = new ArrayBufferWriter<byte>(inbound.Body.Length + 256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName(PayloadField);
            inbound.WriteValue(writer);
            if (collection.FindField(EventIdField) is not null)
            {
                writer.WriteString(EventIdField, inbound.Id);
            }

            if (collection.FindField(EventTypeField) is not null && inbound.Type is not null)
            {
                writer.WriteString(EventTypeField, inbound.Type);
            }

            if (collection.FindField(HookField) is not null)
            {
                writer.WriteString(HookField, hook);
            }

            writer.WriteEndObject();
        }

        // The body was parsed once with JsonBody's depth limit; the record adds one level, well within the default.
        return JsonDocument.Parse(buffer.WrittenMemory);
    }

    private static string? FieldProblem(Collection collection)
    {
        foreach (string name in TextFields)
        {
            if (collection.FindField(name) is { } field && field.Type is not TextField)
            {
                return $"has a field '{name}' that is not a text field; events fill it with text";
            }
        }

        foreach (var field in collection.UserFields)
        {
            // A required field an event cannot fill would fail every event; better to refuse the hook now.
            if (field.Required && field.DefaultValue is null && field.Name is not (PayloadField or EventIdField or HookField))
            {
                return $"has a required field '{field.Name}' that events cannot fill; make it optional or give it a default";
            }
        }

        return null;
    }
}
