using System.Buffers;
using System.Text;
using System.Text.Json;
using Fundament.Data;
using Fundament.Http;
using Fundament.Jobs;

namespace Fundament.Email;

/// <summary>
/// The <c>email.send</c> job type: <c>{to, subject, text}</c> sent with the configured <see cref="IEmailSender"/>,
/// retried with backoff on transient failures and dead-lettered at once on permanent ones (a rejected address,
/// bad credentials). Account emails are enqueued with <see cref="EnqueueAsync"/> in the transaction that issued
/// their token, so a rolled-back request sends nothing.
/// </summary>
public sealed class EmailJob(IEmailSender sender) : IJobHandler
{
    public const string TypeName = "email.send";
    public const string Queue = "emails";
    public const int MaxAttempts = 8;

    public static readonly Backoff Backoff = new(10_000, 60 * 60 * 1000);

    public string Type => TypeName;

    public IReadOnlyList<ErrorDetail> Validate(JsonElement payload)
    {
        if (payload.ValueKind != JsonValueKind.Object)
        {
            return [new("payload", "must be an object with to, subject and text")];
        }

        var errors = new List<ErrorDetail>();
        foreach (string field in (string[])["to", "subject", "text"])
        {
            if (!payload.TryGetProperty(field, out var value) || value.ValueKind != JsonValueKind.String)
            {
                errors.Add(new($"payload.{field}", "is required and must be a string"));
            }
        }

        if (errors.Count == 0)
        {
            if (!EmailAddress.TryParse(payload.GetProperty("to").GetString(), out _, out var error))
            {
                errors.Add(new("payload.to", error));
            }

            if (payload.GetProperty("subject").GetString()!.AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                errors.Add(new("payload.subject", "must be one line"));
            }
        }

        foreach (var property in payload.EnumerateObject())
        {
            if (property.Name is not ("to" or "subject" or "text"))
            {
                errors.Add(new($"payload.{property.Name}", "is not a known field"));
            }
        }

        return errors;
    }

    public async Task RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        var payload = context.Payload;
        var message = new EmailMessage(payload.GetProperty("to").GetString()!, payload.GetProperty("subject").GetString()!, payload.GetProperty("text").GetString()!);
        try
        {
            await sender.SendAsync(message, cancellationToken);
        }
        catch (EmailSendException ex)
        {
            throw new JobFailedException(ex.Message, ex.IsPermanent);
        }
    }

    /// <summary>Queues a message inside the caller's transaction.</summary>
    public static Task EnqueueAsync(JobStore jobs, WriteTransaction tx, EmailMessage message, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("to", message.To);
            writer.WriteString("subject", message.Subject);
            writer.WriteString("text", message.Text);
            writer.WriteEndObject();
        }

        var request = new JobRequest(TypeName, Encoding.UTF8.GetString(buffer.WrittenSpan)) { Queue = Queue, MaxAttempts = MaxAttempts, Backoff = Backoff };
        return jobs.EnqueueAsync(tx, request, cancellationToken);
    }
}
