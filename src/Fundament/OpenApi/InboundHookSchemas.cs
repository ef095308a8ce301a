using System.Text.Json;
using Fundament.Webhooks.Inbound;

namespace Fundament.OpenApi;

/// <summary>Schemas of inbound hooks (<c>/api/hooks</c>): their configuration, the event log, and what a sender gets back.</summary>
internal static class InboundHookSchemas
{
    public const string InboundHookRequest = "InboundHookRequest";
    public const string InboundHookUpdateRequest = "InboundHookUpdateRequest";
    public const string InboundHook = "InboundHook";
    public const string InboundHookEvent = "InboundHookEvent";
    public const string InboundHookReceipt = "InboundHookReceipt";
    public const string InboundJobTemplate = "InboundJobTemplate";

    public static void Write(Utf8JsonWriter writer, IReadOnlyList<string> jobTypes)
    {
        WriteRequest(writer, InboundHookRequest, update: false);
        WriteRequest(writer, InboundHookUpdateRequest, update: true);
        JobSchemas.WriteRequest(writer, InboundJobTemplate, JobSchemas.RequestKind.InboundTemplate, jobTypes,
            "The job a hook enqueues for each new event: a job request without payload, runAt, delaySeconds and idempotencyKey. Its payload is the event, " +
            "`{\"hook\": name, \"eventId\": …, \"event\": body}` (the body as JSON when it is JSON, else as a string), which the handler judges per " +
            "event. The built-in types expect payloads of their own (a url, an email, a delivery id), so use a type your application registers.",
            null);

        writer.WriteStartObject(InboundHook);
        writer.WriteString("type", "object");
        writer.WriteString("description", "An inbound hook. Its secrets are never sent back; secretHints tell them apart.");
        writer.WriteStrings("required", ["name", "url", "verifier", "secretHints", "collection", "job", "createdAt", "updatedAt"]);
        writer.WriteStartObject("properties");
        writer.WriteSimpleSchema("name", "string");
        writer.WriteSimpleSchema("url", "string", "The path senders POST to: /api/hooks/{name}.");
        WriteVerifier(writer);
        writer.WriteStartObject("secretHints");
        writer.WriteString("type", "array");
        writer.WriteString("description", "Per secret, newest first: its whsec_ prefix if any and, for secrets of 20 characters or more, the last four characters.");
        writer.WriteStartObject("items");
        writer.WriteString("type", "string");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteStringSchema("collection", description: "The collection each new event is written to; null for none.", nullable: true);
        writer.WriteStartObject("job");
        writer.WriteStartArray("oneOf");
        writer.WriteRefValue("schemas", InboundJobTemplate);
        writer.WriteStartObject();
        writer.WriteString("type", "null");
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteString("description", "The job template each new event enqueues, as given; null for none.");
        writer.WriteEndObject();
        writer.WriteStringSchema("createdAt", format: "date-time");
        writer.WriteStringSchema("updatedAt", format: "date-time");
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteStartObject(InboundHookEvent);
        writer.WriteString("type", "object");
        writer.WriteString("description", "A verified event, stored once, with what it created.");
        writer.WriteStrings("required", ["id", "eventId", "receivedAt", "recordId", "jobId", "body"]);
        writer.WriteStartObject("properties");
        writer.WriteStringSchema("id", format: "uuid");
        writer.WriteSimpleSchema("eventId", "string", "The sender's event id (see the receive operation); events are deduplicated by it.");
        writer.WriteStringSchema("receivedAt", format: "date-time");
        writer.WriteStringSchema("recordId", format: "uuid", description: "The record the event created in the hook's collection.", nullable: true);
        writer.WriteStringSchema("jobId", format: "uuid", description: "The job the event enqueued.", nullable: true);
        writer.WriteSimpleSchema("body", "string", "The body exactly as received (and signed), as text.");
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteStartObject(InboundHookReceipt);
        writer.WriteString("type", "object");
        writer.WriteString("description", "What the receiver did with a verified event.");
        writer.WriteStrings("required", ["eventId", "duplicate", "recordId", "jobId"]);
        writer.WriteStartObject("properties");
        writer.WriteSimpleSchema("eventId", "string");
        writer.WriteSimpleSchema("duplicate", "boolean", "true when the event had been received before: nothing new was stored, and the ids are the first time's.");
        writer.WriteStringSchema("recordId", format: "uuid", nullable: true);
        writer.WriteStringSchema("jobId", format: "uuid", nullable: true);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteRequest(Utf8JsonWriter writer, string schema, bool update)
    {
        writer.WriteStartObject(schema);
        writer.WriteString("type", "object");
        writer.WriteString("description", update
            ? "Changes to a hook: any subset of its fields (name only if unchanged). A new secret or secrets replaces every current one; " +
              "changing the verifier needs a secret it accepts. collection or job set to null removes it."
            : "A new inbound hook. Give secret, or secrets (an array, newest first) while the sender rotates. Every failing field is listed at once (422).");
        writer.WriteBoolean("additionalProperties", false);
        if (update)
        {
            writer.WriteStartObject("not");
            writer.WriteStrings("required", ["secret", "secrets"]);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteStrings("required", ["name", "verifier"]);
            writer.WriteStartArray("oneOf");
            foreach (string field in (string[])["secret", "secrets"])
            {
                writer.WriteStartObject();
                writer.WriteStrings("required", [field]);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WritePropertyName("examples");
        writer.WriteRawValue(update
            ? """[{"secrets": ["whsec_NewSecretFromTheStripeDashboard", "whsec_OldSecretStillInUseForADay"]}]"""
            : """[{"name": "stripe", "verifier": "stripe", "secret": "whsec_SecretFromTheStripeDashboard", "collection": "payments"}]""");
        writer.WriteStartObject("properties");
        writer.WriteStartObject("name");
        writer.WriteString("type", "string");
        writer.WriteString("pattern", "^[a-z0-9_-]{1," + Fundament.Webhooks.Inbound.InboundHook.MaxNameLength + "}$");
        writer.WriteString("description", update
            ? "Cannot be changed: create a hook under the new name and delete this one."
            : "Lowercase letters, digits, '-' and '_'; senders POST to /api/hooks/{name}. Unique (a taken name is a 409).");
        writer.WriteEndObject();
        WriteVerifier(writer);
        writer.WriteStartObject("secret");
        writer.WriteString("type", "string");
        writer.WriteNumber("minLength", 1);
        writer.WriteString("description", "The sender's signing secret, without control characters. stripe: the endpoint's whsec_… secret; standard: " +
            $"whsec_ and the base64 of a 24- to 64-byte key; hmac-sha256: any text of 1 to {HmacSha256Verifier.MaxSecretLength} characters.");
        writer.WriteEndObject();
        writer.WriteStartObject("secrets");
        writer.WriteString("type", "array");
        writer.WriteNumber("minItems", 1);
        writer.WriteNumber("maxItems", Fundament.Webhooks.Inbound.InboundHook.MaxSecrets);
        writer.WriteString("description", "Several secrets, newest first, while the sender rotates: a signature by any of them verifies. Not with secret.");
        writer.WriteStartObject("items");
        writer.WriteString("type", "string");
        writer.WriteNumber("minLength", 1);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteStartObject("collection");
        writer.WriteType("string", nullable: true);
        writer.WriteString("description", "A base collection to write each new event to as a record: it needs a json field payload (the event) and may have " +
            "text fields event_id, event_type and hook; no other required field without a default.");
        writer.WriteEndObject();
        writer.WriteStartObject("job");
        writer.WriteStartArray("oneOf");
        writer.WriteRefValue("schemas", InboundJobTemplate);
        writer.WriteStartObject();
        writer.WriteString("type", "null");
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteString("description", "A job to enqueue for each new event; null for none.");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteVerifier(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("verifier");
        writer.WriteString("type", "string");
        writer.WriteStrings("enum", InboundVerifiers.Names);
        writer.WriteString("description", "How senders sign: stripe (Stripe-Signature), standard (Standard Webhooks: webhook-id, webhook-timestamp, " +
            "webhook-signature) or hmac-sha256 (X-Signature-256 or GitHub's X-Hub-Signature-256 over the body).");
        writer.WriteEndObject();
    }
}
