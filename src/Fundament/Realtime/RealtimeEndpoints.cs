using System.Globalization;
using Fundament.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Fundament.Realtime;

/// <summary>Realtime over server-sent events (shared/API.md, "Realtime").</summary>
public static class RealtimeEndpoints
{
    public const string LastEventIdHeader = "Last-Event-ID";

    /// <summary>For EventSource polyfills and new EventSource objects, which cannot set <see cref="LastEventIdHeader"/>.</summary>
    public const string LastEventIdParameter = "lastEventId";

    public const string TicketParameter = "ticket";

    public static IEndpointRouteBuilder MapRealtime(this IEndpointRouteBuilder app)
    {
        var realtime = app.MapGroup("/api/realtime").WithTags("Realtime");
        realtime.MapGet("/", Subscribe).WithName("Realtime");
        realtime.MapPost("/ticket", CreateTicket).WithName("CreateRealtimeTicket");
        return app;
    }

    /// <summary>
    /// Opens a stream. Everything that can be wrong is answered in the envelope before the stream starts:
    /// a bad query (400), a bad ticket (401), a collection the caller may not read (403), an unknown one (404),
    /// a full node (503). A ticket is spent only once the query itself is known to be good.
    /// </summary>
    private static async Task<Results<RealtimeStream, ApiErrorResult>> Subscribe(HttpContext http, RealtimeHub hub, CancellationToken cancellationToken)
    {
        var query = http.Request.Query;
        var specs = SubscriptionSpec.Parse(query[SubscriptionSpec.CollectionsParameter].ToString(), query[SubscriptionSpec.FilterParameter].ToString());
        var resume = ParseLastEventId(http.Request);
        if (!specs.IsSuccess || !resume.IsSuccess)
        {
            return (specs.Error ?? resume.Error!).ToResult();
        }

        var caller = Caller.Of(http);
        if (query.TryGetValue(TicketParameter, out var ticket))
        {
            if (!caller.IsAnonymous)
            {
                return ApiError.BadRequest("Send a ticket or credentials, not both").ToResult();
            }

            if (await hub.Tickets.RedeemAsync(ticket.ToString(), cancellationToken) is not { } redeemed)
            {
                return ApiError.Unauthorized("The ticket is unknown, spent or expired; take a new one with POST /api/realtime/ticket").ToResult();
            }

            caller = redeemed;
            caller.AttachTo(http);
        }

        var schema = hub.Schemas.Current;
        var subscriptions = new List<(SubscriptionSpec, SubscriptionRules)>(specs.Value.Count);
        foreach (var spec in specs.Value)
        {
            var rules = SubscriptionRules.Compile(spec, schema, caller, hub.Rules);
            if (!rules.IsSuccess)
            {
                return rules.Error.ToResult();
            }

            subscriptions.Add((spec, rules.Value));
        }

        if (!await hub.Broker.WaitStartedAsync(cancellationToken))
        {
            return ApiError.Unavailable("Realtime is starting; try again shortly").ToResult();
        }

        // Changes already committed when the stream opens are history, even those this node's feed has not
        // published yet (on PostgreSQL the feed trails commits by a NOTIFY): they come only through Last-Event-ID.
        long committed = await hub.Store.MaxIdAsync(cancellationToken);
        var subscriber = new Subscriber(caller, subscriptions, hub.Options.RealtimeBufferSize);
        if (!hub.Broker.TryAdd(subscriber, committed))
        {
            subscriber.Dispose();
            return ApiError.Unavailable("This server has as many realtime streams open as it accepts; try again later").ToResult();
        }

        // A change committed since `committed` was read may have kicked a feed that, with no stream open yet, looked at
        // nothing (on SQLite); without this it would wait for the next write or poll.
        hub.Feed.Kick();

        return new RealtimeStream(subscriber, resume.Value, hub);
    }

    private static async Task<Results<JsonBytesResult, ApiErrorResult>> CreateTicket(HttpContext http, RealtimeHub hub, CancellationToken cancellationToken)
    {
        var caller = Caller.Of(http);
        if (caller.IsAnonymous)
        {
            return ApiError.Unauthorized("Sign in (or use an API key) to take a realtime ticket").ToResult();
        }

        string ticket = await hub.Tickets.CreateAsync(caller, cancellationToken);
        return JsonBytesResult.Envelope(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("ticket", ticket);
            writer.WriteNumber("expiresIn", RealtimeTickets.LifetimeSeconds);
            writer.WriteEndObject();
        });
    }

    /// <summary>The event id to resume after: the header EventSource sends on reconnect, or <c>?lastEventId=</c>.</summary>
    private static Outcome<long?> ParseLastEventId(HttpRequest request)
    {
        string text = request.Headers.TryGetValue(LastEventIdHeader, out var header) ? header.ToString() : request.Query[LastEventIdParameter].ToString();
        if (text.Length == 0)
        {
            return Outcome<long?>.From(null);
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long id)
            ? Outcome<long?>.From(id)
            : ApiError.BadRequest("Last-Event-ID must be an event id this server sent", [new ErrorDetail(LastEventIdParameter, "is not an event id")]);
    }
}
