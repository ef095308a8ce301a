using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Fundament.Observability;

/// <summary>
/// The console logger, with the framework's formatters (JSON lines or single-line text, as configured), writing many
/// entries per system call from one background thread. The framework's console logger wakes its writer thread and
/// makes one write per entry: at one request line per request that was a fifth of the server's CPU (bench/RESULTS.md).
/// Callers never wait: entries are formatted on the calling thread and queued; see <see cref="ConsoleLineWriter"/>.
/// The <c>json</c> format is written straight to UTF-8 by <see cref="JsonLogLine"/>, in the framework formatter's shape
/// and with its options; other formatters write text, which is encoded once.
/// </summary>
[ProviderAlias("Console")]
public sealed class BatchedConsoleLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    [ThreadStatic]
    private static LineBuffers? t_buffers;

    private readonly ConsoleLineWriter _writer;
    private readonly Dictionary<string, ConsoleFormatter> _formatters;
    private readonly IOptionsMonitor<JsonConsoleFormatterOptions> _jsonOptions;
    private readonly IDisposable? _optionsChanged;
    private ConsoleFormatter _formatter;
    private bool _json;
    private LogLevel _errorThreshold;
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public BatchedConsoleLoggerProvider(IOptionsMonitor<ConsoleLoggerOptions> options, IOptionsMonitor<JsonConsoleFormatterOptions> jsonOptions,
        IEnumerable<ConsoleFormatter> formatters)
        : this(options, jsonOptions, formatters, new ConsoleLineWriter(Console.OpenStandardOutput(), Console.OpenStandardError()))
    {
    }

    internal BatchedConsoleLoggerProvider(IOptionsMonitor<ConsoleLoggerOptions> options, IOptionsMonitor<JsonConsoleFormatterOptions> jsonOptions,
        IEnumerable<ConsoleFormatter> formatters, ConsoleLineWriter writer)
    {
        _writer = writer;
        _jsonOptions = jsonOptions;
        _formatters = formatters.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
        Apply(options.CurrentValue);
        _optionsChanged = options.OnChange(Apply);
        _writer.DescribeDropped = count => Format(new LogEntry<string>(LogLevel.Warning, typeof(BatchedConsoleLoggerProvider).FullName!, default,
            $"{count} log entries were dropped: standard output did not keep up", null, static (message, _) => message)).ToArray();
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
        _optionsChanged?.Dispose();
        _writer.Dispose();
    }

    [MemberNotNull(nameof(_formatter))]
    private void Apply(ConsoleLoggerOptions options)
    {
        _formatter = _formatters.GetValueOrDefault(options.FormatterName ?? ConsoleFormatterNames.Simple)
            ?? _formatters.GetValueOrDefault(ConsoleFormatterNames.Simple)
            ?? throw new InvalidOperationException($"No console log formatter named '{options.FormatterName}' is registered.");
        _json = string.Equals(_formatter.Name, ConsoleFormatterNames.Json, StringComparison.OrdinalIgnoreCase);
        _errorThreshold = options.LogToStandardErrorThreshold;
    }

    private void Write<TState>(in LogEntry<TState> entry)
    {
        var line = Format(entry);
        if (!line.IsEmpty)
        {
            _writer.Enqueue(line, entry.LogLevel >= _errorThreshold);
        }
    }

    // The entry as UTF-8 in this thread's buffers, valid until the thread formats the next one; empty when there is nothing to write.
    private ReadOnlySpan<byte> Format<TState>(in LogEntry<TState> entry)
    {
        var buffers = t_buffers ??= new LineBuffers();
        // One huge entry (an exception with a long stack) should not pin its buffers to this thread forever.
        if (buffers.Oversized)
        {
            buffers = t_buffers = new LineBuffers();
        }

        if (_json)
        {
            return buffers.Json.Write(entry, _scopes, _jsonOptions.CurrentValue) ? buffers.Json.Written : default;
        }

        _formatter.Write(entry, _scopes, buffers.Text);
        var built = buffers.Text.GetStringBuilder();
        buffers.Encoded.ResetWrittenCount();
        foreach (var chunk in built.GetChunks())
        {
            buffers.Encoder.Convert(chunk.Span, buffers.Encoded, flush: false, out _, out _);
        }

        buffers.Encoder.Convert([], buffers.Encoded, flush: true, out _, out _);
        built.Clear();
        return buffers.Encoded.WrittenSpan;
    }

    private sealed class LineBuffers
    {
        public const int KeptCapacity = 16 * 1024;

        public JsonLogLine Json { get; } = new();

        public StringWriter Text { get; } = new();

        public ArrayBufferWriter<byte> Encoded { get; } = new(1024);

        public Encoder Encoder { get; } = Encoding.UTF8.GetEncoder();

        public bool Oversized =>
            Json.Capacity > KeptCapacity || Text.GetStringBuilder().Capacity > KeptCapacity || Encoded.Capacity > KeptCapacity;
    }

    private sealed class Logger(BatchedConsoleLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter));
            }
        }
    }
}
