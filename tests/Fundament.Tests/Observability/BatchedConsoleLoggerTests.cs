using System.Text;
using System.Text.Json;
using Fundament.Observability;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Fundament.Tests.Observability;

/// <summary>The console logger that batches lines: same formatters and settings, every line written, in order.</summary>
public sealed class BatchedConsoleLoggerTests
{
    [Fact]
    public void Json_lines_keep_their_order_and_scopes_and_reach_standard_output_by_the_time_the_logger_is_disposed()
    {
        var output = new RecordingStream();
        var error = new RecordingStream();
        using (var logging = Logging(ConsoleFormatterNames.Json, output, error))
        {
            var logger = logging.Factory.CreateLogger("Tests.Batched");
            using (logger.BeginScope(new LogScope(new KeyValuePair<string, object>("RequestId", "req-1"))))
            {
                for (int i = 0; i < 5_000; i++)
                {
                    logger.LogInformation("line {Number}", i);
                }
            }
        }

        var lines = output.Lines();
        Assert.Equal(5_000, lines.Count);
        for (int i = 0; i < lines.Count; i++)
        {
            using var json = JsonDocument.Parse(lines[i]);
            Assert.Equal($"line {i}", json.RootElement.GetProperty("Message").GetString());
            Assert.Equal("Tests.Batched", json.RootElement.GetProperty("Category").GetString());
            Assert.Contains(json.RootElement.GetProperty("Scopes").EnumerateArray(), s => s.TryGetProperty("RequestId", out var id) && id.GetString() == "req-1");
        }

        Assert.Empty(error.Lines());
        // Thousands of lines, a handful of writes: the point of the writer.
        Assert.True(output.Writes < 100, $"{output.Writes} writes for 5,000 lines");
    }

    [Fact]
    public async Task A_line_logged_on_a_quiet_server_shows_within_milliseconds()
    {
        var output = new RecordingStream();
        using var logging = Logging(ConsoleFormatterNames.Simple, output, new RecordingStream());
        logging.Factory.CreateLogger("Tests.Quiet").LogWarning("only line");

        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (output.Lines().Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }

        Assert.Contains("only line", Assert.Single(output.Lines()), StringComparison.Ordinal);
    }

    [Fact]
    public void Entries_at_or_above_the_standard_error_threshold_go_to_standard_error_in_order()
    {
        var output = new RecordingStream();
        var error = new RecordingStream();
        using (var logging = Logging(ConsoleFormatterNames.Simple, output, error, LogLevel.Error))
        {
            var logger = logging.Factory.CreateLogger("Tests.Split");
            logger.LogInformation("first");
            logger.LogError("broken");
            logger.LogInformation("second");
            logger.LogCritical("down");
        }

        Assert.Collection(output.Lines(), l => Assert.Contains("first", l, StringComparison.Ordinal), l => Assert.Contains("second", l, StringComparison.Ordinal));
        Assert.Collection(error.Lines(), l => Assert.Contains("broken", l, StringComparison.Ordinal), l => Assert.Contains("down", l, StringComparison.Ordinal));
    }

    [Fact]
    public void When_standard_output_stalls_lines_past_the_cap_are_dropped_and_counted_instead_of_blocking_the_caller()
    {
        var output = new RecordingStream { Stalled = new ManualResetEventSlim(false) };
        using (var logging = Logging(ConsoleFormatterNames.Simple, output, new RecordingStream()))
        {
            var logger = logging.Factory.CreateLogger("Tests.Stall");
            logger.LogInformation("first");
            Assert.True(output.Blocked.Wait(TimeSpan.FromSeconds(5)), "the writer never reached the stalled stream");
            // The writer is stuck writing "first"; the queue fills up to its cap and the rest are dropped at once.
            for (int i = 0; i < ConsoleLineWriter.MaxQueued + 500; i++)
            {
                logger.LogInformation("queued {Number}", i);
            }

            output.Stalled.Set();
        }

        var lines = output.Lines();
        Assert.Contains("first", lines[0], StringComparison.Ordinal);
        // "first" still counts against the cap while its write is stuck, so one line fewer fits behind it.
        Assert.Equal(ConsoleLineWriter.MaxQueued - 1, lines.Count(l => l.Contains("queued", StringComparison.Ordinal)));
        Assert.Single(lines, l => l.Contains("501 log entries were dropped", StringComparison.Ordinal));
    }

    [Fact]
    public void The_server_logs_through_the_batched_console_logger_and_a_host_without_a_console_stays_without_one()
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder();
        builder.AddObservability();
        using (var app = builder.Build())
        {
            var providers = app.Services.GetServices<ILoggerProvider>().ToList();
            Assert.Contains(providers, p => p is BatchedConsoleLoggerProvider);
            Assert.DoesNotContain(providers, p => p is ConsoleLoggerProvider);
        }

        var silent = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder();
        silent.Logging.ClearProviders();
        silent.AddObservability();
        using var quiet = silent.Build();
        Assert.DoesNotContain(quiet.Services.GetServices<ILoggerProvider>(), p => p is BatchedConsoleLoggerProvider);
    }

    private static TestLogging Logging(string formatter, Stream output, Stream error, LogLevel errorThreshold = LogLevel.None)
    {
        var services = new ServiceCollection()
            .AddLogging(logging => logging.AddConsole(o =>
            {
                o.FormatterName = formatter;
                o.LogToStandardErrorThreshold = errorThreshold;
            }).AddJsonConsole(o => o.IncludeScopes = true))
            .BuildServiceProvider();
        var provider = new BatchedConsoleLoggerProvider(services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>(),
            services.GetRequiredService<IOptionsMonitor<JsonConsoleFormatterOptions>>(), services.GetServices<ConsoleFormatter>(), new ConsoleLineWriter(output, error));
        var factory = LoggerFactory.Create(logging => logging.AddProvider(provider).SetMinimumLevel(LogLevel.Trace));
        return new TestLogging(services, provider, factory);
    }

    // A provider instance handed to a factory is not the factory's to dispose; the host's container disposes the real one.
    private sealed record TestLogging(ServiceProvider Services, BatchedConsoleLoggerProvider Provider, ILoggerFactory Factory) : IDisposable
    {
        public void Dispose()
        {
            Factory.Dispose();
            Provider.Dispose();
            Services.Dispose();
        }
    }

    /// <summary>Standard output as the test sees it: bytes and the number of writes; can stall its first write.</summary>
    private sealed class RecordingStream : Stream
    {
        private readonly MemoryStream _bytes = new();

        public ManualResetEventSlim? Stalled { get; init; }

        public ManualResetEventSlim Blocked { get; } = new(false);

        public int Writes { get; private set; }

        public List<string> Lines()
        {
            lock (_bytes)
            {
                return [.. Encoding.UTF8.GetString(_bytes.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)];
            }
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (Stalled is { IsSet: false })
            {
                Blocked.Set();
                Stalled.Wait(TimeSpan.FromSeconds(30));
            }

            lock (_bytes)
            {
                Writes++;
                _bytes.Write(buffer);
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Flush()
        {
        }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
