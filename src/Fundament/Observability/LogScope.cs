using System.Collections;

namespace Fundament.Observability;

/// <summary>
/// Named values for <c>ILogger.BeginScope</c>: structured formatters (the JSON console, OpenTelemetry) see each
/// pair, and text formatters see <c>RequestId:abc</c> rather than a type name.
/// </summary>
/// <example><code>using var scope = logger.BeginScope(new LogScope(new("JobId", job.Id)));</code></example>
public sealed class LogScope(params KeyValuePair<string, object>[] values) : IReadOnlyList<KeyValuePair<string, object>>
{
    // Structured formatters write the text with every line logged in the scope; the values never change.
    private string? _text;

    public int Count => values.Length;

    public KeyValuePair<string, object> this[int index] => values[index];

    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object>>)values).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => _text ??= string.Join(", ", values.Select(v => $"{v.Key}:{v.Value}"));
}
