using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Fundament.Observability;

/// <summary>
/// Writes a log entry as one line of UTF-8 JSON, byte for byte what the framework's <c>json</c> console formatter
/// writes with the same <see cref="JsonConsoleFormatterOptions"/> (a test holds them together). The framework's
/// formatter builds the line in UTF-8, turns it into a string for its <see cref="TextWriter"/>, and the console turns
/// it back into UTF-8; at one request line per request those copies and its per-entry writer were a large part of
/// the server's allocations. This writes into a buffer the caller keeps, reads state and scope values by index, and
/// reuses its <see cref="Utf8JsonWriter"/>.
/// </summary>
internal sealed class JsonLogLine
{
    private const string ActivityScopeTypeName = "Microsoft.Extensions.Logging.LoggerFactoryScopeProvider+ActivityLogScope";
    private static Type? s_activityScope;

    private readonly ArrayBufferWriter<byte> _buffer = new(2048);
    private Utf8JsonWriter? _writer;
    private JsonWriterOptions _writerOptions;

    /// <summary>The size the buffer has grown to: as large as the largest line written.</summary>
    public int Capacity => _buffer.Capacity;

    /// <summary>The last line written, newline included.</summary>
    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

    /// <summary>Writes <paramref name="entry"/>; false (and nothing written) when it has neither message nor exception.</summary>
    public bool Write<TState>(in LogEntry<TState> entry, IExternalScopeProvider? scopes, JsonConsoleFormatterOptions options)
    {
        _buffer.ResetWrittenCount();
        string? message = entry.Formatter(entry.State, entry.Exception);
        if (entry.Exception is null && message is null)
        {
            return false;
        }

        var writer = Writer(options.JsonWriterOptions);
        writer.WriteStartObject();
        if (options.TimestampFormat is { } timestampFormat)
        {
            WriteTimestamp(writer, options.UseUtcTimestamp ? DateTimeOffset.UtcNow : DateTimeOffset.Now, timestampFormat);
        }

        writer.WriteNumber("EventId", entry.EventId.Id);
        writer.WriteString("LogLevel", LevelName(entry.LogLevel));
        writer.WriteString("Category", entry.Category);
        writer.WriteString("Message", message);
        if (entry.Exception is { } exception)
        {
            writer.WriteString("Exception", exception.ToString());
        }

        if (entry.State is { } state)
        {
            writer.WriteStartObject("State");
            // The state's own text only where it says something the message does not.
            string? stateText = StateText<TState>.IsMessage ? message : state.ToString();
            if (stateText != message)
            {
                writer.WriteString("Message", stateText);
            }

            if (state is IReadOnlyCollection<KeyValuePair<string, object?>> values)
            {
                WriteItems(writer, values);
            }

            writer.WriteEndObject();
        }

        if (options.IncludeScopes && scopes is not null)
        {
            writer.WriteStartArray("Scopes");
            scopes.ForEachScope(static (scope, writer) => WriteScope(writer, scope), writer);
            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        writer.Flush();
        _buffer.Write("\n"u8);
        return true;
    }

    private Utf8JsonWriter Writer(JsonWriterOptions options)
    {
        if (_writer is null || !options.Equals(_writerOptions))
        {
            _writer = new Utf8JsonWriter(_buffer, options);
            _writerOptions = options;
        }
        else
        {
            _writer.Reset(_buffer);
        }

        return _writer;
    }

    private static void WriteTimestamp(Utf8JsonWriter writer, DateTimeOffset now, string format)
    {
        Span<char> text = stackalloc char[64];
        if (now.TryFormat(text, out int length, format, CultureInfo.CurrentCulture))
        {
            writer.WriteString("Timestamp", text[..length]);
        }
        else
        {
            writer.WriteString("Timestamp", now.ToString(format, CultureInfo.CurrentCulture));
        }
    }

    private static void WriteScope(Utf8JsonWriter writer, object? scope)
    {
        if (scope is IEnumerable<KeyValuePair<string, object?>> values)
        {
            writer.WriteStartObject();
            if (IsJoinedText(scope, values) is { } list)
            {
                WriteJoinedText(writer, list);
            }
            else
            {
                writer.WriteString("Message", scope.ToString());
            }

            WriteItems(writer, values);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteStringValue(Convert.ToString(scope, CultureInfo.InvariantCulture));
        }
    }

    // Scopes whose text is their values joined as "Key:Value, Key:Value": ours, and the framework's activity scope,
    // which builds that text anew for every line it is asked for.
    private static IReadOnlyList<KeyValuePair<string, object?>>? IsJoinedText(object scope, IEnumerable<KeyValuePair<string, object?>> values)
    {
        if (values is not IReadOnlyList<KeyValuePair<string, object?>> list)
        {
            return null;
        }

        if (scope is LogScope)
        {
            return list;
        }

        var type = scope.GetType();
        if (type == s_activityScope)
        {
            return list;
        }

        if (s_activityScope is null && type.FullName == ActivityScopeTypeName)
        {
            s_activityScope = type;
            return list;
        }

        return null;
    }

    private static void WriteJoinedText(Utf8JsonWriter writer, IReadOnlyList<KeyValuePair<string, object?>> values)
    {
        var text = new DefaultInterpolatedStringHandler(0, 0, null, stackalloc char[256]);
        for (int i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                text.AppendLiteral(", ");
            }

            text.AppendLiteral(values[i].Key);
            text.AppendLiteral(":");
            text.AppendFormatted(values[i].Value);
        }

        writer.WriteString("Message", text.Text);
        text.Clear();
    }

    // By index where the state allows it: LoggerMessage's values and the scopes of the framework and Kestrel are
    // lists, and enumerating them through the interface would allocate an enumerator per entry.
    private static void WriteItems(Utf8JsonWriter writer, IEnumerable<KeyValuePair<string, object?>> values)
    {
        if (values is IReadOnlyList<KeyValuePair<string, object?>> list)
        {
            for (int i = 0; i < list.Count; i++)
            {
                WriteItem(writer, list[i]);
            }

            return;
        }

        foreach (var item in values)
        {
            WriteItem(writer, item);
        }
    }

    private static void WriteItem(Utf8JsonWriter writer, KeyValuePair<string, object?> item)
    {
        string key = item.Key;
        switch (item.Value)
        {
            case bool value: writer.WriteBoolean(key, value); break;
            case byte value: writer.WriteNumber(key, value); break;
            case sbyte value: writer.WriteNumber(key, value); break;
            case char value: writer.WriteString(key, new ReadOnlySpan<char>(in value)); break;
            case decimal value: writer.WriteNumber(key, value); break;
            case double value: writer.WriteNumber(key, value); break;
            case float value: writer.WriteNumber(key, value); break;
            case int value: writer.WriteNumber(key, value); break;
            case uint value: writer.WriteNumber(key, value); break;
            case long value: writer.WriteNumber(key, value); break;
            case ulong value: writer.WriteNumber(key, value); break;
            case short value: writer.WriteNumber(key, value); break;
            case ushort value: writer.WriteNumber(key, value); break;
            case null: writer.WriteNull(key); break;
            default: writer.WriteString(key, Convert.ToString(item.Value, CultureInfo.InvariantCulture)); break;
        }
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "Trace",
        LogLevel.Debug => "Debug",
        LogLevel.Information => "Information",
        LogLevel.Warning => "Warning",
        LogLevel.Error => "Error",
        LogLevel.Critical => "Critical",
        _ => throw new ArgumentOutOfRangeException(nameof(level)),
    };

    /// <summary>
    /// Whether a state's text is the message itself: true for the values of <c>LoggerMessage</c> (and of the
    /// generated <c>[LoggerMessage]</c> methods built on it) and of the <c>LogInformation(…)</c> extensions, whose
    /// formatter is their <c>ToString()</c>. Both types are the framework's own and never come with another formatter.
    /// </summary>
    private static class StateText<TState>
    {
        public static readonly bool IsMessage = typeof(TState).Assembly == typeof(LoggerMessage).Assembly &&
            (typeof(TState).Name.StartsWith("LogValues", StringComparison.Ordinal) || typeof(TState).Name == "FormattedLogValues");
    }
}
