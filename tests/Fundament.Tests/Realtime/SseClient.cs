using System.Net;
using System.Text;
using System.Text.Json;

namespace Fundament.Tests.Realtime;

/// <summary>One event as an EventSource would dispatch it (comments are kept too, for heartbeat tests).</summary>
internal sealed record SseEvent(string? Id, string Event, string Data, string? Comment = null)
{
    public JsonElement Json => JsonDocument.Parse(Data).RootElement.Clone();

    public string RecordId => Json.GetProperty("record").GetProperty("id").GetString()!;

    public override string ToString() => Comment is not null ? ": " + Comment : $"{Event} #{Id} {Data}";
}

/// <summary>
/// Reads <c>text/event-stream</c> the way the HTML spec's EventSource parses it, over a real HTTP connection.
/// <see cref="OpenAsync"/> returns once the server's opening comment arrived, which the server writes after
/// the subscription is registered: from then on every change reaches this client.
/// </summary>
internal sealed class SseClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;
    private readonly StringBuilder _raw = new();

    private SseClient(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    /// <summary>Everything read so far, byte for byte (as text), for "never contains" assertions.</summary>
    public string Raw => _raw.ToString();

    public int? Retry { get; private set; }

    public static async Task<SseClient> OpenAsync(HttpClient client, string url, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            string body = await response.Content.ReadAsStringAsync();
            response.Dispose();
            Assert.Fail($"GET {url} answered {(int)response.StatusCode}: {body}");
        }

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.Equal("no", response.Headers.GetValues("X-Accel-Buffering").Single());
        var stream = new SseClient(response, new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8));
        var opening = await stream.NextAsync(includeComments: true);
        Assert.Equal("connected", opening.Comment);
        return stream;
    }

    /// <summary>The next event (or comment), failing the test when none comes in time.</summary>
    public async Task<SseEvent> NextAsync(TimeSpan? timeout = null, bool includeComments = false)
    {
        using var cancel = new CancellationTokenSource(timeout ?? DefaultTimeout);
        string? id = null, name = null;
        var data = new List<string>();
        while (true)
        {
            string? line;
            try
            {
                line = await _reader.ReadLineAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"no event within {timeout ?? DefaultTimeout}; the stream so far:\n{Raw}");
                throw;
            }

            if (line is null)
            {
                Assert.Fail($"the stream ended; it carried:\n{Raw}");
            }

            _raw.Append(line).Append('\n');
            if (line.Length == 0)
            {
                if (data.Count > 0)
                {
                    return new SseEvent(id, name ?? "message", string.Join('\n', data));
                }

                continue;
            }

            if (line[0] == ':')
            {
                if (includeComments)
                {
                    return new SseEvent(null, "", "", line[1..].TrimStart());
                }

                continue;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            string field = colon < 0 ? line : line[..colon];
            string value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id":
                    id = value;
                    break;
                case "event":
                    name = value;
                    break;
                case "data":
                    data.Add(value);
                    break;
                case "retry":
                    Retry = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                    break;
            }
        }
    }

    /// <summary>The next record event (skipping heartbeats), checked to be <paramref name="action"/> on <paramref name="recordId"/>.</summary>
    public async Task<SseEvent> ExpectAsync(string action, string recordId)
    {
        var next = await NextAsync();
        Assert.True(next.Event == action && next.RecordId == recordId, $"expected {action} of {recordId}, got {next}");
        Assert.Equal(action, next.Json.GetProperty("action").GetString());
        return next;
    }

    /// <summary>True once the server has ended the stream (cleanly or by dropping the connection) within <paramref name="timeout"/>.</summary>
    public async Task<bool> EndsWithinAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (await _reader.ReadLineAsync(cancel.Token) is { } line)
            {
                _raw.Append(line).Append('\n');
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            return true;
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
