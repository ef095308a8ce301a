using Fundament.Collections;
using Fundament.Data;
using Fundament.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Fundament.Records;

/// <summary>
/// One record write as hooks see it, inside its transaction: the stored values before (null on create)
/// and the values about to be written (<see cref="RecordHooks.Validating"/>) or just written
/// (<see cref="RecordHooks.Written"/>), aligned with <see cref="Collection.Fields"/>. A restore is an
/// update whose only changes are <c>deleted_at</c> and <c>updated_at</c>.
/// </summary>
public sealed record RecordWrite(WriteTransaction Transaction, WriteContext Context, Collection Collection, object?[]? Before, object?[] After)
{
    /// <summary>The record as written (its values are <see cref="After"/>); null while the write is being validated.</summary>
    public Record? Written { get; init; }

    public object? BeforeValue(string field) => Before is null || Collection.FindField(field) is not { } f ? null : Before[Collection.IndexOf(f)];

    public object? AfterValue(string field) => Collection.FindField(field) is { } f ? After[Collection.IndexOf(f)] : null;

    public bool Changed(string field) => !Equals(BeforeValue(field), AfterValue(field));
}

/// <summary>
/// One record deletion as <see cref="RecordHooks.Deleted"/> sees it, inside its transaction. For a soft
/// delete <see cref="Record"/> is the row as it now stands (<c>deleted_at</c> set); for a permanent one,
/// the row as it was just before it was removed.
/// </summary>
public sealed record RecordDeletion(WriteTransaction Transaction, WriteContext Context, Collection Collection, Record Record, bool Permanent);

/// <summary>
/// Typed extension points around creates, updates, restores and deletes, for features above Records
/// (identity, webhooks) and for applications that embed Fundament. Handlers run in registration order
/// inside the write's transaction, so whatever they write commits or rolls back with the record; a
/// <see cref="Validating"/> handler vetoes the write by returning an error. Rows a database cascade
/// removes or changes (relations with on-delete cascade or set null) raise no hooks.
/// </summary>
/// <example><code>builder.Services.AddRecordHooks((hooks, services) =>
///     hooks.Validating.Add((write, ct) => ValueTask.FromResult(
///         write.Collection.Name == "posts" &amp;&amp; write.AfterValue("title") is "" ? ApiError.Validation("title", "is empty") : null)));</code></example>
public sealed class RecordHooks
{
    public static readonly RecordHooks None = new();

    public List<Func<RecordWrite, CancellationToken, ValueTask<ApiError?>>> Validating { get; } = [];

    public List<Func<RecordWrite, CancellationToken, ValueTask>> Written { get; } = [];

    /// <summary>Runs after a soft or permanent delete, inside its transaction; it cannot veto (use a delete rule for that).</summary>
    public List<Func<RecordDeletion, CancellationToken, ValueTask>> Deleted { get; } = [];

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

    internal async ValueTask DeletedAsync(RecordDeletion deletion, CancellationToken cancellationToken)
    {
        foreach (var handler in Deleted)
        {
            await handler(deletion, cancellationToken);
        }
    }
}

/// <summary>Lets each feature add its record hooks in its own <c>AddX()</c>; they run in registration order.</summary>
public static class RecordHooksServices
{
    /// <summary>Registers <paramref name="register"/> to add handlers to the one <see cref="RecordHooks"/> when it is first built.</summary>
    public static IServiceCollection AddRecordHooks(this IServiceCollection services, Action<RecordHooks, IServiceProvider> register)
    {
        services.AddSingleton(new RecordHookRegistration(register));
        services.TryAddSingleton(provider =>
        {
            var hooks = new RecordHooks();
            foreach (var registration in provider.GetServices<RecordHookRegistration>())
            {
                registration.Register(hooks, provider);
            }

            return hooks;
        });
        return services;
    }

    private sealed record RecordHookRegistration(Action<RecordHooks, IServiceProvider> Register);
}
