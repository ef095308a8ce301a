using Fundament.Collections;
using Fundament.Data;
using Fundament.Http;

namespace Fundament.Records;

/// <summary>
/// One record write as hooks see it, inside its transaction: the stored values before (null on create)
/// and the values about to be written (<see cref="RecordHooks.Validating"/>) or just written
/// (<see cref="RecordHooks.Written"/>), aligned with <see cref="Collection.Fields"/>.
/// </summary>
public sealed record RecordWrite(WriteTransaction Transaction, WriteContext Context, Collection Collection, object?[]? Before, object?[] After)
{
    public object? BeforeValue(string field) => Before is null || Collection.FindField(field) is not { } f ? null : Before[Collection.IndexOf(f)];

    public object? AfterValue(string field) => Collection.FindField(field) is { } f ? After[Collection.IndexOf(f)] : null;

    public bool Changed(string field) => !Equals(BeforeValue(field), AfterValue(field));
}

/// <summary>
/// Typed extension points around creates and updates, for features above Records (identity) and for
/// applications that embed Fundament. Handlers run in registration order inside the write's
/// transaction; a <see cref="Validating"/> handler vetoes the write by returning an error.
/// </summary>
/// <example><code>hooks.Validating.Add((write, ct) => ValueTask.FromResult(
///     write.Collection.Name == "posts" &amp;&amp; write.AfterValue("title") is "" ? ApiError.Validation("title", "is empty") : null));</code></example>
public sealed class RecordHooks
{
    public static readonly RecordHooks None = new();

    public List<Func<RecordWrite, CancellationToken, ValueTask<ApiError?>>> Validating { get; } = [];

    public List<Func<RecordWrite, CancellationToken, ValueTask>> Written { get; } = [];

    internal async ValueTask<ApiError?> ValidateAsync(RecordWrite write, CancellationToken cancellationToken)
    {
        foreach (var handler in Validating)
        {
            if (await handler(write, cancellationToken) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    internal async ValueTask WrittenAsync(RecordWrite write, CancellationToken cancellationToken)
    {
        foreach (var handler in Written)
        {
            await handler(write, cancellationToken);
        }
    }
}
