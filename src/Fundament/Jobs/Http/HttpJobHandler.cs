using System.Text;
using System.Text.Json;
using Fundament.Http;
using Fundament.Outbound;
using Fundament.Webhooks;

namespace Fundament.Jobs.Http;

/// <summary>
/// The <c>http</c> job type: calls <c>payload.url</c> with a method, headers and body through the
/// safe outbound client. A 2xx answer is success; the body is signed with the Standard Webhooks headers
/// (webhook-id is the job id, stable across retries) so the receiver can check it came from us.
/// 4xx answers other than 408, 425 and 429 will not change on retry, so they dead-letter at once.
/// </summary>
public sealed class HttpJobHandler(OutboundHttp http, JobSigningSecret signingSecret, TimeProvider clock) : IJobHandler
{
    public const string TypeName = "http";

    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    // Framing headers belong to the client; the signature headers to us.
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Content-Length", "Transfer-Encoding", "Upgrade", "TE", "Trailer", "Keep-Alive", "Proxy-Connection",
        StandardWebhookSignature.IdHeader, StandardWebhookSignature.TimestampHeader, StandardWebhookSignature.SignatureHeader,
    };

    private static bool IsToken(string name) =>
        name.Length is > 0 and <= 256 && name.All(c => c is > ' ' and < (char)127 && "()<>@,;:\\\"/[]?={}".IndexOf(c) < 0);

    public string Type => TypeName;

    public IReadOnlyList<ErrorDetail> Validate(JsonElement payload)
    {
        var errors = new List<ErrorDetail>();
        if (payload.ValueKind != JsonValueKind.Object)
        {
            return [new("payload", "must be an object with url, method, headers and body")];
        }

        if (!payload.TryGetProperty("url", out var url) || url.ValueKind != JsonValueKind.String)
        {
            errors.Add(new("payload.url", "is required: an absolute http or https URL"));
        }
        else if (!OutboundHttp.TryValidateUrl(url.GetString(), out _, out var error))
        {
            errors.Add(new("payload.url", error));
        }

        foreach (var property in payload.EnumerateObject())
        {
            switch (property.Name)
            {
                case "url" or "body":
                    break;
                case "method" when property.Value.ValueKind == JsonValueKind.String && Methods.Contains(property.Value.GetString()!.ToUpperInvariant()):
                    break;
                case "method":
                    errors.Add(new("payload.method", $"must be one of {string.Join(", ", Methods)}"));
                    break;
                case "headers" when property.Value.ValueKind == JsonValueKind.Object:
                    foreach (var header in property.Value.EnumerateObject())
                    {
                        if (header.Value.ValueKind != JsonValueKind.String || !IsToken(header.Name) || header.Value.GetString()!.Any(c => c < ' ' || c >= 127))
                        {
                            errors.Add(new($"payload.headers.{header.Name}", "must be a header name (an HTTP token) with a one-line ASCII string value"));
                        }
                        else if (ReservedHeaders.Contains(header.Name))
                        {
                            errors.Add(new($"payload.headers.{header.Name}", "is set by Fundament and cannot be given"));
                        }
                    }

                    break;
                case "headers":
                    errors.Add(new("payload.headers", "must be an object of header names and string values"));
                    break;
                default:
                    errors.Add(new($"payload.{property.Name}", "is not a known field"));
                    break;
            }
        }

        return errors;
    }

    public async Task RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        var payload = context.Payload;
        var url = new Uri(payload.GetProperty("url").GetString()!);
        string method = payload.TryGetProperty("method", out var m) ? m.GetString()!.ToUpperInvariant() : "POST";
        var headers = new List<KeyValuePair<string, string>>();
        string? contentType = null;
        if (payload.TryGetProperty("headers", out var given))
        {
            foreach (var header in given.EnumerateObject())
            {
                if (header.Name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                {
                    contentType = header.Value.GetString();
                }
                else
                {
                    headers.Add(new(header.Name, header.Value.GetString()!));
                }
            }
        }

        byte[]? body = payload.TryGetProperty("body", out var b) && b.ValueKind != JsonValueKind.Null
            ? b.ValueKind == JsonValueKind.String ? Encoding.UTF8.GetBytes(b.GetString()!) : Encoding.UTF8.GetBytes(b.GetRawText())
            : null;
        contentType ??= b.ValueKind == JsonValueKind.String ? "text/plain; charset=utf-8" : "application/json";

        long timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        var secret = await signingSecret.GetAsync(cancellationToken);
        headers.Add(new(StandardWebhookSignature.IdHeader, context.Job.Id));
        headers.Add(new(StandardWebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        headers.Add(new(StandardWebhookSignature.SignatureHeader, StandardWebhookSignature.Sign(secret, context.Job.Id, timestamp, body ?? [])));

        var request = new OutboundRequest(new HttpMethod(method), url)
        {
            Headers = headers,
            Body = method == "GET" ? null : body,
            ContentType = method == "GET" || body is null ? null : contentType,
            Timeout = TimeSpan.FromSeconds(Math.Min(context.Job.TimeoutSeconds, OutboundRequest.MaxTimeout.TotalSeconds)),
            MaxResponseBytes = OutboundResponse.LogExcerptBytes,
        };
        OutboundResponse response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (OutboundException ex)
        {
            throw new JobFailedException(ex.Message, permanent: !ex.IsRetryable);
        }

        context.Status = response.StatusCode;
        context.Excerpt = response.BodyExcerpt(JobContext.MaxExcerptLength);
        if (!response.IsSuccess)
        {
            bool permanent = response.StatusCode is >= 400 and < 500 and not (408 or 425 or 429);
            throw new JobFailedException($"HTTP {response.StatusCode}", permanent, response.StatusCode);
        }
    }
}
