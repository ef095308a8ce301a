using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Fundament.Realtime;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Realtime;

/// <summary>Streams over time: resuming with Last-Event-ID, refetch when the log has moved on, heartbeats, and clients that stop reading.</summary>
public abstract class RealtimeResumeTests(DbKind kind) : IAsyncLifetime
{
    private RealtimeTestBed _bed = null!;

    public async ValueTask InitializeAsync() => _bed = await RealtimeTestBed.StartAsync(kind);

    public async ValueTask DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task A_reconnect_with_Last_Event_ID_replays_exactly_what_was_missed()
    {
        string a1 = await _bed.NoteAsync(_bed.Alice, "seen");
        string lastSeen;
        await using (var first = await _bed.StreamAsync(_bed.Alice, "collections=notes"))
        {
            string a0 = await _bed.NoteAsync(_bed.Alice, "seen live");
            lastSeen = (await first.ExpectAsync("create", a0)).Id!;
        }

        string a2 = await _bed.NoteAsync(_bed.Alice, "missed 1");
        string b1 = await _bed.NoteAsync(_bed.Bob, "not hers");
        string a3 = await _bed.NoteAsync(_bed.Alice, "missed 2");
        await _bed.PatchAsync(a2, new { text = "missed 1, edited" });

        await using var resumed = await _bed.StreamAsync(_bed.Alice, "collections=notes", lastEventId: lastSeen);
        await resumed.ExpectAsync("create", a2);
        await resumed.ExpectAsync("create", a3);
        await resumed.ExpectAsync("update", a2);
        string a4 = await _bed.NoteAsync(_bed.Alice, "live again");
        // Live follows the replay directly: nothing is sent twice, nothing in between is lost.
        await resumed.ExpectAsync("create", a4);
        Assert.DoesNotContain(b1, resumed.Raw, StringComparison.Ordinal);
        Assert.DoesNotContain(a1, resumed.Raw, StringComparison.Ordinal);

        // A new EventSource cannot set the header; the query parameter does the same.
        await using var polyfill = await SseClient.OpenAsync(_bed.Alice.Client, $"/api/realtime?collections=notes&lastEventId={lastSeen}");
        await polyfill.ExpectAsync("create", a2);
        await polyfill.ExpectAsync("create", a3);
        await polyfill.ExpectAsync("update", a2);
        await polyfill.ExpectAsync("create", a4);
    }

    [Fact]
    public async Task A_resume_the_log_cannot_serve_is_told_to_refetch_and_then_goes_live()
    {
        await using (var foreign = await _bed.StreamAsync(_bed.Alice, "collections=notes", lastEventId: "999999999"))
        {
            var refetch = await foreign.NextAsync();
            Assert.Equal("refetch", refetch.Event);
            Assert.Equal("refetch", refetch.Json.GetProperty("action").GetString());
            string live = await _bed.NoteAsync(_bed.Alice, "after the refetch");
            Assert.True(long.Parse((await foreign.ExpectAsync("create", live)).Id!, System.Globalization.CultureInfo.InvariantCulture) > long.Parse(refetch.Id!, System.Globalization.CultureInfo.InvariantCulture));
        }

        string old;
        await using (var first = await _bed.StreamAsync(_bed.Alice, "collections=notes"))
        {
            old = (await first.ExpectAsync("create", await _bed.NoteAsync(_bed.Alice, "old"))).Id!;
        }

        // The observer proves the feed has published every note before the late client connects.
        await using (var observer = await SseClient.OpenAsync(_bed.Server.Admin, "/api/realtime?collections=notes"))
        {
            for (int i = 0; i < 12; i++)
            {
                await observer.ExpectAsync("create", await _bed.NoteAsync(_bed.Alice, $"while away {i}"));
            }
        }

        await _bed.Server.Get<ChangeStore>().PruneAsync(DateTime.UtcNow.AddMinutes(5), 10, ChangeStore.PruneBatch, CancellationToken.None);
        await using var late = await _bed.StreamAsync(_bed.Alice, "collections=notes", lastEventId: old);
        var told = await late.NextAsync();
        Assert.Equal("refetch", told.Event);
        string next = await _bed.NoteAsync(_bed.Alice, "back");
        await late.ExpectAsync("create", next);
        Assert.DoesNotContain("while away", late.Raw, StringComparison.Ordinal);

        // Resuming from the refetch's id replays nothing and misses nothing.
        await using var again = await _bed.StreamAsync(_bed.Alice, "collections=notes", lastEventId: told.Id);
        await again.ExpectAsync("create", next);
    }

    [Fact]
    public async Task An_idle_stream_gets_heartbeats_and_a_retry_hint()
    {
        await using var stream = await _bed.StreamAsync(_bed.Alice, "collections=notes");
        Assert.Equal(1500, stream.Retry);
        var ping = await stream.NextAsync(TimeSpan.FromSeconds(10), includeComments: true);
        Assert.Equal("ping", ping.Comment);
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_disconnected_instead_of_growing_server_memory()
    {
        long slowDisconnects = 0;
        var meters = _bed.Server.Get<IMeterFactory>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Name == "fundament.realtime.slow_disconnects")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref slowDisconnects, value));
        listener.Start();

        // A raw socket with a tiny receive window that reads the response head and then nothing more.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _bed.Server.BaseAddress.Port));
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"GET /api/realtime?collections=notes HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {_bed.Alice.Token}\r\n\r\n"));
        var head = new StringBuilder();
        var buffer = new byte[512];
        using (var opening = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            while (!head.ToString().Contains(": connected", StringComparison.Ordinal))
            {
                int read = await socket.ReceiveAsync(buffer, opening.Token);
                Assert.True(read > 0, "the stream closed before it opened");
                head.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }

        Assert.StartsWith("HTTP/1.1 200", head.ToString(), StringComparison.Ordinal);
        var broker = _bed.Server.Get<RealtimeBroker>();
        Assert.Equal(1, broker.Count);
        string big = new('x', 256 * 1024);
        var requests = Enumerable.Range(0, 20).Select(_ => new { method = "POST", url = "/api/notes", body = new { text = big, owner = _bed.Alice.Id } }).ToArray();
        for (int batch = 0; batch < 40 && broker.Count > 0; batch++)
        {
            using var response = await _bed.Server.Admin.PostAsJsonAsync("/api/batch", new { requests });
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            await Task.Delay(50);
        }

        Assert.Equal(0, broker.Count);
        Assert.True(Interlocked.Read(ref slowDisconnects) >= 1, "the slow client was not counted");

        // What was on the wire still drains, then the connection is gone.
        using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (await socket.ReceiveAsync(buffer, drain.Token) > 0)
            {
            }
        }
        catch (SocketException)
        {
            // Reset by the server: closed as well.
        }
    }
}

public sealed class RealtimeResumeTests_Sqlite() : RealtimeResumeTests(DbKind.Sqlite);

public sealed class RealtimeResumeTests_Postgres() : RealtimeResumeTests(DbKind.Postgres);
