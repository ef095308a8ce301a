namespace Fundament.Outbound;

/// <summary>One outbound HTTP call, as <see cref="OutboundHttp.SendAsync"/> takes it.</summary>
/// <example><code>var request = new OutboundRequest(HttpMethod.Post, new Uri("https://hooks.example.com/in"))
/// {
///     Headers = [new("webhook-id", id)],
///     Body = payload,
///     ContentType = "application/json",
///     Timeout = TimeSpan.FromSeconds(10),
/// };</code></example>
public sealed record OutboundRequest(HttpMethod Method, Uri Url)
{
    /// <summary>How long a call may take, redirects and body included, when the request does not say.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The longest <see cref="Timeout"/> accepted: a worker slot is held for the whole call.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(5);

    /// <summary>How much of a response body is kept when the request does not say.</summary>
    public const int DefaultMaxResponseBytes = 1024 * 1024;

    /// <summary>The largest <see cref="MaxResponseBytes"/> accepted: the kept body is held in memory.</summary>
    public const int MaxResponseBytesLimit = 16 * 1024 * 1024;

    /// <summary>
    /// Extra request headers. <c>Content-*</c> headers go on the body (and are dropped without one);
    /// <c>Host</c>, <c>Connection</c>, <c>Content-Length</c> and <c>Transfer-Encoding</c> are refused,
    /// as the client frames the message itself. <c>Authorization</c> is not sent to another origin after a redirect.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>The request body, or null for none. Dropped when a 301/302/303 redirect turns the call into a GET.</summary>
    public byte[]? Body { get; init; }

    /// <summary>The body's media type, e.g. <c>application/json</c>.</summary>
    public string? ContentType { get; init; }

    /// <summary>The budget for the whole call; between zero (exclusive) and <see cref="MaxTimeout"/>.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>
    /// How many body bytes to keep, 0 to <see cref="MaxResponseBytesLimit"/>. Reading stops there and the
    /// response is marked truncated; the rest is never read. Callers that only log pass
    /// <see cref="OutboundResponse.LogExcerptBytes"/>.
    /// </summary>
    public int MaxResponseBytes { get; init; } = DefaultMaxResponseBytes;

    /// <summary>
    /// Whether to follow redirects (up to <see cref="OutboundHttp.MaxRedirects"/>). When false a 3xx is the
    /// response, as for senders such as webhooks whose POST must not turn into a GET on a 301/302.
    /// </summary>
    public bool FollowRedirects { get; init; } = true;
}
