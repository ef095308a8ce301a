using System.Diagnostics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Fundament.Observability;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Fundament.Tests.Observability;

/// <summary>
/// The UTF-8 JSON log line is the framework's <c>json</c> console formatter's line, byte for byte: log pipelines
/// that parse the framework's shape must not notice which one wrote it.
/// </summary>
public sealed class JsonLogLineTests
{
    private static readonly Action<ILogger, string, int, double, Exception?> Defined =
        LoggerMessage.Define<string, int, double>(LogLevel.Information, new EventId(9, "Defined"), "{Method} answered {Status} in {ElapsedMs:0.0} ms");
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_kind_of_entry_and_scope_comes_out_as_the_framework_formatter_writes_it(bool indented)
    {
        var lines = Compare(new JsonConsoleFormatterOptions
        {
            IncludeScopes = true,
            // Coarse, so that both writers see the same instant; the format itself is applied by both.
            TimestampFormat = "'year' yyyy",
            UseUtcTimestamp = true,
            JsonWriterOptions = new JsonWriterOptions { Indented = indented },
        }, logger =>
        {
            using var activity = new Activity("compare").AddTag("tenant", "acme").AddBaggage("plan", "pro").Start();
            activity.TraceStateString = "vendor=value";
            logger.Log(LogLevel.Information, new EventId(3, "Named"), "a plain string state", null, static (state, _) => state);
            using (logger.BeginScope("order {OrderId} for {Customer}", 42, "Zoë \"Z\" <z@example.com>"))
            using (logger.BeginScope(7))
            using (logger.BeginScope(new Dictionary<string, object?> { ["ratio"] = 1.5, ["missing"] = null }))
            using (logger.BeginScope(new LogScope(new KeyValuePair<string, object>("RequestId", "req-1"), new KeyValuePair<string, object>("Attempt", 2))))
            {
                logger.LogWarning("values {Int} {Double} {Bool} {Null} {Date} {Decimal} {Long} {Char} {Float} {Text} {Guid}",
                    1, 2.5, true, null, new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc), 19.99m, long.MaxValue, 'x', 0.25f,
                    "tab\t, quote \", arrow → and \u0001", Guid.Empty);
                logger.LogError(Thrown(), "failed after {Attempts} attempts", 3);
                Defined(logger, "GET", 200, 1.25, null);
            }

            logger.Log(LogLevel.Information, default, "the state's text", null, static (_, _) => "a different message");
            logger.Log(LogLevel.Information, default, new List<KeyValuePair<string, object?>> { new("listed", 1) }, null, static (_, _) => "a list state");
            logger.Log(LogLevel.Information, default, Enumerable.Range(0, 2).Select(i => new KeyValuePair<string, object?>("n" + i, i)), null,
                static (_, _) => "an enumerable state");
            using (logger.BeginScope(Enumerable.Range(0, 2).Select(i => new KeyValuePair<string, object?>("s" + i, i))))
            using (logger.BeginScope(new KeyValuePair<string, string>[] { new("typed", "as text") }))
            {
                logger.LogInformation("in enumerable scopes");
            }

            logger.Log<object?>(LogLevel.Critical, default, null, Thrown(), static (_, _) => null!);
            logger.Log<object?>(LogLevel.Debug, default, null, null, static (_, _) => "a null state");
            logger.Log<object?>(LogLevel.Trace, default, null, null, static (_, _) => null!);
        });

        Assert.Equal(10, lines.Count);
    }

    [Fact]
    public void Without_scopes_or_timestamp_and_with_a_relaxed_encoder_the_lines_still_match()
    {
        var lines = Compare(new JsonConsoleFormatterOptions
        {
            JsonWriterOptions = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping },
        }, logger =>
        {
            using (logger.BeginScope("ignored {Scope}", "s"))
            {
                logger.LogInformation("arrow → {Name}", "é<>");
            }
        });

        using var json = JsonDocument.Parse(Assert.Single(lines));
        Assert.False(json.RootElement.TryGetProperty("Scopes", out _));
        Assert.False(json.RootElement.TryGetProperty("Timestamp", out _));
        Assert.Contains("→", lines[0], StringComparison.Ordinal);
    }

    // Logs through a provider that formats every entry with both writers and the same scopes; returns the lines after
    // asserting that both wrote the same bytes.
    private static List<string> Compare(JsonConsoleFormatterOptions options, Action<ILogger> log)
    {
        using var services = new ServiceCollection()
            .AddLogging(logging => logging.AddJsonConsole(json =>
            {
                json.IncludeScopes = options.IncludeScopes;
                json.TimestampFormat = options.TimestampFormat;
                json.UseUtcTimestamp = options.UseUtcTimestamp;
                json.JsonWriterOptions = options.JsonWriterOptions;
            }))
            .BuildServiceProvider();
        var framework = services.GetServices<ConsoleFormatter>().Single(f => f.Name == ConsoleFormatterNames.Json);
        var both = new BothWriters(framework, services.GetRequiredService<IOptionsMonitor<JsonConsoleFormatterOptions>>().CurrentValue);
        using (var factory = LoggerFactory.Create(logging => logging
            .AddProvider(both)
            .SetMinimumLevel(LogLevel.Trace)
            .Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.SpanId | ActivityTrackingOptions.TraceId |
                ActivityTrackingOptions.ParentId | ActivityTrackingOptions.TraceState | ActivityTrackingOptions.TraceFlags |
                ActivityTrackingOptions.Tags | ActivityTrackingOptions.Baggage)))
        {
            log(factory.CreateLogger("Tests.JsonLogLine"));
        }

        Assert.Equal(both.Framework.ToString(), both.Ours.ToString());
        return [.. both.Ours.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith('{'))];
    }

    private static Exception Thrown()
    {
        try
        {
            throw new InvalidOperationException("boom\nsecond line");
        }
        catch (InvalidOperationException ex)
        {
            return ex;
        }
    }

    private sealed class BothWriters(ConsoleFormatter formatter, JsonConsoleFormatterOptions options) : ILoggerProvider, ISupportExternalScope
    {
        private readonly ConsoleFormatter _formatter = formatter;
        private readonly JsonConsoleFormatterOptions _options = options;
        private readonly JsonLogLine _line = new();
        private IExternalScopeProvider? _scopes;

        public StringWriter Framework { get; } = new();

        public StringBuilder Ours { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(BothWriters both, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => both._scopes?.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var entry = new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter);
                both._formatter.Write(entry, both._scopes, both.Framework);
                if (both._line.Write(entry, both._scopes, both._options))
                {
                    both.Ours.Append(Encoding.UTF8.GetString(both._line.Written));
                }
            }
        }
    }
}
