using System.Text.Json;
using Fundament.Realtime;

namespace Fundament.OpenApi;

/// <summary>Realtime over server-sent events: <c>GET /api/realtime</c> and <c>POST /api/realtime/ticket</c>, with the ticket's schema.</summary>
internal static class RealtimePaths
{
    public const string RealtimeTag = "Realtime";
    public const string RealtimeTicket = "RealtimeTicket";

    private const string StreamDescription = """
        A `text/event-stream` of record changes, each judged on the caller's own access rules: a record subscription needs the
        collection's viewRule, a collection subscription its listRule and viewRule, and the optional filter narrows both. A record
        (or its id) that the rules hide never appears. Errors are answered in the envelope before the stream starts.

        The stream opens with `retry: <ms>` and a `: connected` comment (the subscription is live from then on), then sends

        ```
        id: 1042
        event: create
        data: {"collection": "posts", "action": "create", "record": {…}}
        ```

        with `event` one of `create`, `update`, `delete`, as the change looks to this subscriber: a record that starts to match
        (a restore, a new owner, a filter now met) is a `create`, one that stops matching a `delete` carrying the last state it saw.
        A `: ping` comment comes every 15 s (FUNDAMENT_REALTIME_HEARTBEAT_SECONDS). Reconnect with `Last-Event-ID` (or `lastEventId=`)
        to get what was missed, exactly once; when that is no longer in the change log an `event: refetch` (with an id to resume from)
        says to reload. A client that falls too far behind is disconnected and catches up the same way.

        Browsers: EventSource cannot send headers, so take a ticket with `POST /api/realtime/ticket` and pass `ticket=`; a ticket
        opens one stream, so reconnect with a new ticket and `lastEventId=`.
        """;

    public static void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("/api/realtime");
        writer.WriteOperationStart("get", "realtime", RealtimeTag, "Stream record changes", StreamDescription, credentials: false);
        writer.WriteStartArray("parameters");
        OpenApiComponents.WriteParameter(writer, null, SubscriptionSpec.CollectionsParameter, "query",
            $"Comma-separated: `posts` for a collection, `posts/{{id}}` for one record; up to {SubscriptionSpec.MaxPerStream}.", "string", required: true);
        OpenApiComponents.WriteParameter(writer, null, SubscriptionSpec.FilterParameter, "query",
            "A filter expression every streamed record must also meet (see the filter language); it must be valid for every collection named.", "string");
        OpenApiComponents.WriteParameter(writer, null, RealtimeEndpoints.TicketParameter, "query",
            "A ticket from POST /api/realtime/ticket, for clients that cannot send Authorization; spent by this request.", "string");
        OpenApiComponents.WriteParameter(writer, null, RealtimeEndpoints.LastEventIdHeader, "header",
            "The id of the last event received: the changes after it are replayed before the stream goes live.", "string");
        OpenApiComponents.WriteParameter(writer, null, RealtimeEndpoints.LastEventIdParameter, "query",
            $"The same as the {RealtimeEndpoints.LastEventIdHeader} header, for clients that cannot set it.", "string");
        writer.WriteEndArray();
        writer.WriteStartObject("responses");
        writer.WriteStartObject("200");
        writer.WriteString("description", "The event stream; it stays open until the client leaves or the server ends it.");
        writer.WriteStartObject("content");
        writer.WriteStartObject(RealtimeStream.ContentType);
        writer.WriteStartObject("schema");
        writer.WriteString("type", "string");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteErrorResponses(400, 401, 403, 404, 429, 503);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();

        writer.WriteStartObject("/api/realtime/ticket");
        writer.WriteOperationStart("post", "createRealtimeTicket", RealtimeTag, "Take a realtime ticket",
            $"**Access:** any signed-in caller (access token or API key). The ticket opens one stream as this caller within {RealtimeTickets.LifetimeSeconds} s, " +
            "on any node; the account (and key) is checked again when it is spent.");
        writer.WriteStartObject("responses");
        writer.WriteEnvelopeResponse(200, "The ticket.", OpenApiJson.Ref(RealtimeTicket), headers: ["X-Request-Id"]);
        writer.WriteErrorResponses(401, 429);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    public static void WriteSchemas(Utf8JsonWriter writer)
    {
        writer.WriteStartObject(RealtimeTicket);
        writer.WriteString("type", "object");
        writer.WriteStrings("required", ["ticket", "expiresIn"]);
        writer.WriteStartObject("properties");
        writer.WriteSimpleSchema("ticket", "string", "Pass as ?ticket= to GET /api/realtime; single use.");
        writer.WriteSimpleSchema("expiresIn", "integer", "Seconds the ticket stays valid.");
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
