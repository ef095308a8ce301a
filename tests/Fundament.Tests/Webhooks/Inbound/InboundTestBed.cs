using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fundament.Data;
using Fundament.Http;
using Fundament.Jobs;
using Fundament.Tests.Testing;
using Fundament.Webhooks.Inbound;
using Microsoft.Extensions.Logging;

namespace Fundament.Tests.Webhooks.Inbound;

/// <summary>
/// Signs requests the way each sender does, written from the schemes' documentation rather than with the
/// verifiers' own code, so a test passes only when both sides agree on the bytes.
/// </summary>
public static class Senders
{
    /// <summary>Stripe: <c>t=…,v1=…</c>, hex HMAC-SHA256 of "{t}.{body}" keyed with the whole whsec_ string as UTF-8.</summary>
    public static Dictionary<string, string> Stripe(string body, long t, params string[] secrets) => new()
    {
        ["Stripe-Signature"] = $"t={t}," + string.Join(",", secrets.Select(s => "v1=" + Convert.ToHexStringLower(
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(s), Encoding.UTF8.GetBytes($"{t}.{body}"))))),
    };

    /// <summary>Standard Webhooks: <c>v1,</c> and the base64 HMAC-SHA256 of "{id}.{t}.{body}" keyed with the base64-decoded part after whsec_.</summary>
    public static Dictionary<string, string> Standard(string body, string id, long t, string secret) => new()
    {
        ["webhook-id"] = id,
        ["webhook-timestamp"] = t.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["webhook-signature"] = "v1," + Convert.ToBase64String(HMACSHA256.HashData(
            Convert.FromBase64String(secret["whsec_".Length..]), Encoding.UTF8.GetBytes($"{id}.{t}.{body}"))),
    };

    /// <summary>GitHub style: <c>sha256=</c> and the hex HMAC-SHA256 of the body keyed with the secret as UTF-8.</summary>
    public static Dictionary<string, string> Hmac(string body, string secret) => new()
    {
        ["X-Hub-Signature-256"] = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body))),
    };

    public static string StandardSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static string StripeSecret() => "whsec_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();
}

/// <summary>
/// An app with hook-ready job types (workers off, so enqueued jobs stay put to be inspected), the log lines
/// at Warning and above, and the inbound counters of this app's meter factory only.
/// </summary>
public sealed class InboundTestBed : IAsyncDisposable
{
    public const string EventsJob = "test.events";
    public const string AmountsJob = "test.amounts";

    private readonly MeterListener _listener = new();

    private InboundTestBed(TestApp app, ConcurrentQueue<(LogLevel Level, string Message)> logs)
    {
        App = app;
        Logs = logs;
    }

    public TestApp App { get; }

    public ConcurrentQueue<(LogLevel Level, string Message)> Logs { get; }

    public ConcurrentQueue<(string Name, Dictionary<string, object?> Tags)> Measurements { get; } = new();

    public static async Task<InboundTestBed> StartAsync(DbKind kind, long? maxBodyBytes = null)
    {
        var logs = new ConcurrentQueue<(LogLevel Level, string Message)>();
        var settings = new Dictionary<string, string?> { ["Fundament:JobWorkers"] = "false" };
        if (maxBodyBytes is { } max)
        {
            settings["Fundament:MaxBodyBytes"] = max.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var app = await TestApp.StartAsync(kind, settings, configure: builder =>
        {
            builder.AddJobHandler(EventsJob, (_, _) => Task.CompletedTask);
            builder.AddJobHandler<AmountsHandler>();
            builder.Logging.AddProvider(new ListLoggerProvider(logs));
        });
        // Start-up lines are not what the tests look at.
        logs.Clear();
        var bed = new InboundTestBed(app, logs);
        bed.Listen();
        return bed;
    }

    public async Task<JsonElement> CreateHookAsync(object hook)
    {
        var json = await App.Admin.PostAsync("/api/hooks", TestApp.JsonContent(JsonSerializer.Serialize(hook))).ShouldBe(HttpStatusCode.Created);
        return json.GetProperty("data").Clone();
    }

    public Task<HttpResponseMessage> SendAsync(string hook, string body, IDictionary<string, string> headers, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/hooks/{hook}") { Content = new StringContent(body, Encoding.UTF8, contentType) };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return App.Anonymous.SendAsync(request);
    }

    public async Task<long> CountAsync(string table)
    {
        var database = App.Get<Database>();
        await using var connection = await database.OpenReadAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM \"{table}\"";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>(events, records in <paramref name="collection"/>, jobs): the three effects an event may have.</summary>
    public async Task<(long Events, long Records, long Jobs)> CountEffectsAsync(string collection) =>
        (await CountAsync(InboundHookTables.Events), await CountAsync(collection), await CountAsync(JobTables.Jobs));

    public async Task<JsonElement> GetAsync(string path) => (await App.Admin.GetAsync(path).ShouldBe(HttpStatusCode.OK)).GetProperty("data").Clone();

    public IEnumerable<Dictionary<string, object?>> Measured(string name) => Measurements.Where(m => m.Name == name).Select(m => m.Tags);

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await App.DisposeAsync();
    }

    private void Listen()
    {
        var factory = App.Get<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Other tests run in parallel with their own apps; only this app's factory counts.
            if (instrument.Meter.Name == InboundHookMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
        {
            var copy = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            Measurements.Enqueue((instrument.Name, copy));
        });
        _listener.Start();
    }

    private sealed class AmountsHandler : IJobHandler
    {
        public string Type => AmountsJob;

        public IReadOnlyList<ErrorDetail> Validate(JsonElement payload) =>
            payload.TryGetProperty("event", out var e) && e.ValueKind == JsonValueKind.Object && e.TryGetProperty("amount", out var a) && a.ValueKind == JsonValueKind.Number
                ? []
                : [new ErrorDetail("payload.event.amount", "is required")];

        public Task RunAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class ListLoggerProvider(ConcurrentQueue<(LogLevel Level, string Message)> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new ListLogger(lines);

        public void Dispose()
        {
        }
    }

    private sealed class ListLogger(ConcurrentQueue<(LogLevel Level, string Message)> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue((logLevel, formatter(state, exception)));
    }
}
