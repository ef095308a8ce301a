using System.Text.Json;
using Fundament.Email;
using Fundament.Jobs.Http;
using Fundament.Outbound;
using Fundament.Webhooks;
using Fundament.Webhooks.Outbound;

namespace Fundament.OpenApi;

/// <summary>
/// The payloads of the built-in job types, and the rules that tie each type to its payload in a job request
/// (JSON Schema <c>if</c>/<c>then</c>, which OpenAPI 3.1 allows: the payload sits beside the type, not inside it,
/// so a discriminator cannot express it).
/// </summary>
internal static class JobPayloadSchemas
{
    public const string HttpJobPayload = "HttpJobPayload";
    public const string EmailJobPayload = "EmailJobPayload";
    public const string WebhookDeliverJobPayload = "WebhookDeliverJobPayload";

    private static readonly (string Type, string Schema)[] BuiltIn =
    [
        (HttpJobHandler.TypeName, HttpJobPayload),
        (EmailJob.TypeName, EmailJobPayload),
        (WebhookDeliveryHandler.JobType, WebhookDeliverJobPayload),
    ];

    public static void Write(Utf8JsonWriter writer)
    {
        WriteHttp(writer);

        writer.WriteStartObject(EmailJobPayload);
        writer.WriteString("type", "object");
        writer.WriteString("description", $"The payload of `{EmailJob.TypeName}`: a plain-text email, sent with the configured provider (SMTP or an HTTP API). " +
            "Transient failures are retried with backoff; a rejected address or bad credentials dead-letter the job at once. " +
            $"Account emails use this type too, in the `{EmailJob.Queue}` queue.");
        writer.WriteBoolean("additionalProperties", false);
        writer.WriteStrings("required", ["to", "subject", "text"]);
        writer.WritePropertyName("examples");
        writer.WriteRawValue("""[{"to": "Ann <ann@example.com>", "subject": "Your report is ready", "text": "Download it from your account."}]""");
        writer.WriteStartObject("properties");
        writer.WriteSimpleSchema("to", "string", "One address, bare (ann@example.com) or with a display name (Ann <ann@example.com>).");
        writer.WriteStartObject("subject");
        writer.WriteString("type", "string");
        writer.WriteString("pattern", "^[^\\r\\n]*$");
        writer.WriteString("description", "One line.");
        writer.WriteEndObject();
        writer.WriteSimpleSchema("text", "string", "The plain-text body.");
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteStartObject(WebhookDeliverJobPayload);
        writer.WriteString("type", "object");
        writer.WriteString("description", $"The payload of `{WebhookDeliveryHandler.JobType}`: one attempt at one outbound webhook delivery. The webhook " +
            "dispatcher enqueues these; enqueued by hand, the job sends the delivery again unless it was delivered or skipped.");
        writer.WriteStrings("required", ["deliveryId"]);
        writer.WriteStartObject("properties");
        writer.WriteStringSchema("deliveryId", format: "uuid", description: "The id of a webhook delivery (GET /api/webhooks/{id}/deliveries).");
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>
    /// Writes <c>allOf</c>: for each built-in type among <paramref name="jobTypes"/>, "if type is X then payload is required
    /// and is X's payload". Types applications add are left open.
    /// </summary>
    public static void WritePayloadRules(Utf8JsonWriter writer, IReadOnlyList<string> jobTypes)
    {
        writer.WriteStartArray("allOf");
        foreach (var (type, schema) in BuiltIn)
        {
            if (!jobTypes.Contains(type))
            {
                continue;
            }

            writer.WriteStartObject();
            writer.WriteStartObject("if");
            writer.WriteStrings("required", ["type"]);
            writer.WriteStartObject("properties");
            writer.WriteStartObject("type");
            writer.WriteString("const", type);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteStartObject("then");
            writer.WriteStrings("required", ["payload"]);
            writer.WriteStartObject("properties");
            writer.WriteSchemaRef("payload", schema);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteHttp(Utf8JsonWriter writer)
    {
        writer.WriteStartObject(HttpJobPayload);
        writer.WriteString("type", "object");
        writer.WriteString("description", $"The payload of `{HttpJobHandler.TypeName}`: one HTTP call through the outbound client (private addresses refused " +
            "unless allowed). The request is signed like an outbound webhook — `webhook-id` (the job id, the same on every attempt), " +
            "`webhook-timestamp` and `webhook-signature` over the body, keyed with GET /api/jobs/signing-secret — so the receiver can check it. " +
            "A 2xx answer succeeds; a 4xx other than 408, 425 and 429 dead-letters the job at once; other answers and network errors are retried with backoff. " +
            $"One attempt waits at most the job's timeoutSeconds, and never more than {OutboundRequest.MaxTimeout.TotalSeconds:0} s.");
        writer.WriteBoolean("additionalProperties", false);
        writer.WriteStrings("required", ["url"]);
        writer.WritePropertyName("examples");
        writer.WriteRawValue("""[{"url": "https://example.com/hooks/orders", "method": "POST", "headers": {"X-Source": "fundament"}, "body": {"orderId": 42}}]""");
        writer.WriteStartObject("properties");
        writer.WriteStartObject("url");
        writer.WriteString("type", "string");
        writer.WriteString("format", "uri");
        writer.WriteNumber("maxLength", OutboundHttp.MaxUrlLength);
        writer.WriteString("description", "An absolute http or https URL.");
        writer.WriteEndObject();
        writer.WriteStartObject("method");
        writer.WriteString("type", "string");
        writer.WriteStrings("enum", ["GET", "POST", "PUT", "PATCH", "DELETE"]);
        writer.WriteString("default", "POST");
        writer.WriteString("description", "Any letter case is accepted. GET sends no body.");
        writer.WriteEndObject();
        writer.WriteStartObject("headers");
        writer.WriteString("type", "object");
        writer.WriteString("description", "Request headers. Content-Type, when given, replaces the body's default type. " +
            $"The signature headers ({StandardWebhookSignature.IdHeader}, {StandardWebhookSignature.TimestampHeader}, {StandardWebhookSignature.SignatureHeader}) are added by the server.");
        writer.WriteStartObject("additionalProperties");
        writer.WriteString("type", "string");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteStartObject("body");
        writer.WriteString("description", "Sent as text/plain when a string, as application/json otherwise; null or absent sends an empty body.");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
