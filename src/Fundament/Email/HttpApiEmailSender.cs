using System.Text;
using System.Text.Json;
using Fundament.Outbound;
using Microsoft.Extensions.Logging;

namespace Fundament.Email;

/// <summary>
/// Sends through a Resend-shaped HTTP API: <c>POST {EmailApiUrl}/emails</c> with <c>Authorization: Bearer</c>
/// and <c>{"from", "to": [...], "subject", "text"}</c>; a 2xx answer carries the provider's message id.
/// </summary>
/// <remarks>
/// 429, 408, 5xx, timeouts and network errors are transient; any other non-2xx answer (a rejected key, an
/// unverified sender domain, a malformed address) is permanent. Calls go through <see cref="OutboundHttp"/>, so the
/// API's address is held to the same private-address policy, timeouts and size limits as every outbound call.
/// </remarks>
public sealed partial class HttpApiEmailSender(OutboundHttp http, EmailOptions options, ILogger<HttpApiEmailSender> logger) : IEmailSender
{
    private const int MaxDetailLength = 300;

    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        var (_, to) = MimeMessage.Validate(options.EmailFrom, message);
        string key = string.IsNullOrEmpty(options.EmailApiKey) ? throw new EmailSendException("EmailApiKey is not configured", permanent: true) : options.EmailApiKey;
        var url = new Uri(options.EmailApiUrl.TrimEnd('/') + "/emails");
        var request = new OutboundRequest(HttpMethod.Post, url)
        {
            Headers = [new("Authorization", "Bearer " + key)],
            Body = Payload(message),
            ContentType = "application/json",
            Timeout = options.Timeout,
            MaxResponseBytes = 64 * 1024,
        };
        OutboundResponse response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (OutboundException e)
        {
            throw new EmailSendException($"Email API {url.Host}: {e.Message}", permanent: !e.IsRetryable, e);
        }

        int status = response.StatusCode;
        string body = response.BodyText();
        if (status is >= 200 and < 300)
        {
            LogSent(logger, to.Address, url.Host, FindString(body, "id") ?? "(none)");
            return;
        }

        // 408 and 429 ask for another try later, as do 5xx; any other answer means this request will never be accepted.
        bool permanent = status is < 500 and not (408 or 429);
        throw new EmailSendException($"Email API {url.Host} answered {status}: {Detail(body, key)}", permanent);
    }

    private byte[] Payload(EmailMessage message)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("from", options.EmailFrom.Trim());
            json.WriteStartArray("to");
            json.WriteStringValue(message.To.Trim());
            json.WriteEndArray();
            json.WriteString("subject", message.Subject);
            json.WriteString("text", message.Text);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The provider's own explanation (Resend: <c>{"name", "message"}</c>), one line, short, without the key.</summary>
    private static string Detail(string body, string key)
    {
        string detail = FindString(body, "message") is { } text
            ? FindString(body, "name") is { } name ? $"{name}: {text}" : text
            : body;
        var line = new StringBuilder(Math.Min(detail.Length, MaxDetailLength));
        foreach (char c in detail.Replace(key, "***", StringComparison.Ordinal))
        {
            line.Append(char.IsControl(c) ? ' ' : c);
            if (line.Length == MaxDetailLength)
            {
                line.Append('…');
                break;
            }
        }

        return line.Length == 0 ? "(empty body)" : line.ToString().Trim();
    }

    private static string? FindString(string body, string property)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(property, out var value) &&
                value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent email to {To} through the email API {Host}: id {Id}")]
    private static partial void LogSent(ILogger logger, string to, string host, string id);
}
