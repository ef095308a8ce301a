using System.Buffers;
using System.IO.Pipelines;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace Fundament.Realtime;

/// <summary>
/// The <c>text/event-stream</c> response of one subscriber: the opening <c>retry:</c> hint, the replay of
/// what a resuming client missed, then live frames until the client leaves, the subscriber is closed or
/// the server stops. Frames are written straight from the shared arrays into the response's pipe.
/// </summary>
internal sealed class RealtimeStream(Subscriber subscriber, long? resumeAfter, RealtimeHub hub) : IResult, IEndpointMetadataProvider
{
    public const string ContentType = "text/event-stream";

    /// <summary>Changes read from the log per query during a replay.</summary>
    public const int ReplayPage = 256;

    // Replayed ids, kept only to recognise a late change (one that committed after later ids) sent live as well.
    private HashSet<long>? _replayed;

    // Every change up to here has been sent or was not the client's to see.
    private long _floor;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        // nginx buffers proxied responses unless told not to: https://nginx.org/en/docs/http/ngx_http_proxy_module.html#x-accel-buffering
        response.Headers["X-Accel-Buffering"] = "no";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted, subscriber.Closed, hub.Stopping);
        var body = response.BodyWriter;
        try
        {
            body.Write(SseFrames.Opening(hub.Options.RealtimeRetryMilliseconds));
            await body.FlushAsync(stop.Token);
            _floor = subscriber.StartAfter;
            if (resumeAfter is { } after)
            {
                await ResumeAsync(body, after, stop.Token);
            }

            await StreamAsync(body, stop.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client left, the subscriber was closed or the server is stopping.
        }
        finally
        {
            hub.Broker.Remove(subscriber);
            // Closed as well, so a publish already holding it stops queueing frames nobody will read.
            subscriber.Close();
            if (subscriber.DroppedAsSlow)
            {
                // Not a clean end: whatever is still buffered for a client that stopped reading is dropped with the connection.
                httpContext.Abort();
            }

            subscriber.Dispose();
        }
    }

    private async Task StreamAsync(PipeWriter body, CancellationToken cancellationToken)
    {
        var frames = subscriber.Frames;
        while (await frames.WaitToReadAsync(cancellationToken))
        {
            int events = 0;
            while (frames.TryRead(out var frame))
            {
                if (frame.IsEvent && (frame.IsLate ? _replayed?.Contains(frame.Id) == true : frame.Id <= _floor))
                {
                    continue;
                }

                body.Write(frame.Bytes);
                events += frame.IsEvent ? 1 : 0;
            }

            var flushed = await body.FlushAsync(cancellationToken);
            hub.Metrics.Sent(events);
            if (flushed.IsCompleted)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Sends what the client missed after <paramref name="after"/>, from the log, judged on its rules as live
    /// changes are. Changes up to <see cref="Subscriber.StartAfter"/> come from here and later ones live, so
    /// none is sent twice or lost. When the log no longer reaches back that far, a <c>refetch</c> event
    /// tells the client to reload; its id lets the next reconnect resume from now on.
    /// </summary>
    private async Task ResumeAsync(PipeWriter body, long after, CancellationToken cancellationToken)
    {
        long upTo = subscriber.StartAfter;
        if (after >= upTo)
        {
            // Up to date; or this node's feed is behind the one the client came from (its changes arrive live
            // and are skipped up to the client's id); or the id is from another database altogether.
            if (after > upTo && after > await hub.Store.MaxIdAsync(cancellationToken))
            {
                await SendRefetchAsync(body, upTo, "The given event id is not one of this server's", cancellationToken);
                return;
            }

            _floor = after;
            return;
        }

        if (!await hub.Store.ReachesBackToAsync(after, cancellationToken))
        {
            await SendRefetchAsync(body, upTo, "The changes since the given event id are no longer in the log", cancellationToken);
            return;
        }

        _replayed = [];
        long cursor = after;
        List<Change> page;
        Subscriber[] self = [subscriber];
        do
        {
            page = await hub.Store.ListAfterAsync(cursor, upTo, ReplayPage, cancellationToken);
            int events = 0;
            foreach (var change in page)
            {
                var delivery = (await hub.Visibility.DecideAsync(change, self, cancellationToken))[0];
                if (delivery != Delivery.None)
                {
                    body.Write(change.Frame(delivery));
                    _replayed.Add(change.Id);
                    events++;
                }

                cursor = change.Id;
            }

            await body.FlushAsync(cancellationToken);
            hub.Metrics.Sent(events);
        }
        while (page.Count == ReplayPage);
    }

    private static async Task SendRefetchAsync(PipeWriter body, long id, string reason, CancellationToken cancellationToken)
    {
        body.Write(SseFrames.Refetch(id, reason));
        await body.FlushAsync(cancellationToken);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, null, [ContentType]));
}
