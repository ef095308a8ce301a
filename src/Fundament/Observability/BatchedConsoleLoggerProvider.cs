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
/// </summary>
[ProviderAlias("Console")]
public sealed class BatchedConsoleLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    [ThreadStatic]
    private static StringWriter? t_text;

    private readonly ConsoleLineWriter _writer;
    private readonly Dictionary<string, ConsoleFormatter> _formatters;
    private readonly IDisposable? _optionsChanged;
    private ConsoleFormatter _formatter;
    private LogLevel _errorThreshold;
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public BatchedConsoleLoggerProvider(IOptionsMonitor<ConsoleLoggerOptions> options, IEnumerable<ConsoleFormatter> formatters)
        : this(options, formatters, new ConsoleLineWriter(Console.OpenStandardOutput(), Console.OpenStandardError()))
    {
    }

    internal BatchedConsoleLoggerProvider(IOptionsMonitor<ConsoleLoggerOptions> options, IEnumerable<ConsoleFormatter> formatters, ConsoleLineWriter writer)
    {
        _writer = writer;
        _formatters = formatters.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
        (_formatter, _errorThreshold) = Apply(options.CurrentValue);
        _optionsChanged = options.OnChange(changed => (_formatter, _errorThreshold) = Apply(changed));
        _writer.DescribeDropped = count => Format(new LogEntry<string>(LogLevel.Warning, typeof(BatchedConsoleLoggerProvider).FullName!, default,
            $"{count} log entries were dropped: standard output did not keep up", null, static (message, _) => message)) ?? "";
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
        _optionsChanged?.Dispose();
        _writer.Dispose();
    }

    private (ConsoleFormatter Formatter, LogLevel ErrorThreshold) Apply(ConsoleLoggerOptions options) =>
        (_formatters.GetValueOrDefault(options.FormatterName ?? ConsoleFormatterNames.Simple)
            ?? _formatters.GetValueOrDefault(ConsoleFormatterNames.Simple)
            ?? throw new InvalidOperationException($"No console log formatter named '{options.FormatterName}' is registered."),
         options.LogToStandardErrorThreshold);

    private void Write<TState>(in LogEntry<TState> entry)
    {
        if (Format(entry) is { } line)
        {
            _writer.Enqueue(line, entry.LogLevel >= _errorThreshold);
        }
    }

    private string? Format<TState>(in LogEntry<TState> entry)
    {
        var text = t_text ??= new StringWriter();
        _formatter.Write(entry, _scopes, text);
        var built = text.GetStringBuilder();
        if (built.Length == 0)
        {
            return null;
        }

        string line = built.ToString();
        built.Clear();
        // One huge entry (an exception with a long stack) should not pin its buffer to this thread forever.
        if (built.Capacity > 8 * 1024)
        {
            built.Capacity = 1024;
        }

        return line;
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
