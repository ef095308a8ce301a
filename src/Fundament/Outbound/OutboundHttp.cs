using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Fundament.Outbound;

/// <summary>
/// The one way Fundament calls other servers (HTTP jobs, webhook deliveries, email APIs, OAuth). It refuses
/// loopback, private, link-local and other non-public addresses (<see cref="AddressPolicy"/>) unless
/// <see cref="FundamentOptions.AllowPrivateTargets"/> is set, and it checks the address actually being
/// connected to, after DNS resolution, on every connection and every redirect hop — so neither a name that
/// resolves to 10.0.0.1, nor DNS rebinding, nor a redirect to 169.254.169.254 reaches the internal network.
/// </summary>
/// <remarks>
/// <para>Errors: any HTTP status is returned as an <see cref="OutboundResponse"/>; when there is no response
/// (invalid request, refused address, DNS or connection failure, timeout, redirect problems, broken response)
/// <see cref="SendAsync"/> throws <see cref="OutboundException"/>, whose message is safe to store. Cancelling
/// the caller's token throws <see cref="OperationCanceledException"/> as usual; it is not a failure of the call.</para>
/// <para>Environment proxies (<c>HTTP_PROXY</c> …) are ignored on purpose: through a proxy the connect check
/// would see the proxy's address, not the target's, and the proxy would resolve and reach internal hosts for us.
/// HTTP/1.1 is used; HTTP/3 is never negotiated because QUIC connections bypass the connect check.</para>
/// </remarks>
public sealed partial class OutboundHttp : IDisposable
{
    /// <summary>How many redirects one call follows before failing with <see cref="OutboundFailure.TooManyRedirects"/>.</summary>
    public const int MaxRedirects = 5;

    /// <summary>Sent unless the request sets its own.</summary>
    public const string UserAgent = "Fundament/1.0";

    /// <summary>The longest URL <see cref="TryValidateUrl"/> accepts.</summary>
    public const int MaxUrlLength = 4096;

    // Pooled connections are recycled so a long-lived pool does not pin an address DNS has since moved away from.
    private static readonly TimeSpan PooledConnectionLifetime = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private readonly Func<IPAddress, bool> _isAllowed;
    private readonly HttpClient _client;

    /// <summary>Creates the client with the address policy <paramref name="options"/> asks for.</summary>
    public OutboundHttp(FundamentOptions options)
        : this(options.AllowPrivateTargets ? static _ => true : AddressPolicy.IsPublic)
    {
    }

    /// <summary>Creates the client with a custom address policy; tests use it to allow one loopback address only.</summary>
    internal OutboundHttp(Func<IPAddress, bool> isAllowed)
    {
        _isAllowed = isAllowed;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false, // followed in FollowAsync, so each hop is validated and counted
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = PooledConnectionLifetime,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = ConnectTimeout,
            ConnectCallback = ConnectAsync,
            // A body left unread (a redirect, a truncated response) is drained only a little before the
            // connection is dropped: reusing a connection is not worth reading megabytes we will discard.
            MaxResponseDrainSize = 64 * 1024,
            ResponseDrainTimeout = TimeSpan.FromSeconds(1),
        };
        _client = new HttpClient(handler)
        {
            Timeout = Timeout.InfiniteTimeSpan, // each call has its own deadline, see SendAsync
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
    }

    /// <summary>
    /// Validates a URL given to the API (a webhook or job target): absolute, http or https, a host,
    /// no user name or password, at most <see cref="MaxUrlLength"/> characters. The error reads after the
    /// field name, e.g. "url must be an absolute http or https URL". Whether the host is public is decided
    /// at call time, after DNS resolution, not here.
    /// </summary>
    public static bool TryValidateUrl(string? url, [NotNullWhen(true)] out Uri? uri, [NotNullWhen(false)] out string? error)
    {
        uri = null;
        if (string.IsNullOrWhiteSpace(url))
        {
            error = "must not be empty";
            return false;
        }

        if (url.Length > MaxUrlLength)
        {
            error = $"must be at most {MaxUrlLength} characters";
            return false;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var parsed))
        {
            error = "must be an absolute http or https URL";
            return false;
        }

        error = FindUrlProblem(parsed);
        if (error is not null)
        {
            return false;
        }

        uri = parsed;
        return true;
    }

    /// <summary>Returns <c>scheme://host[:port]</c> of a URL: the part of it that is safe to log.</summary>
    public static string Origin(Uri url) => url.IsAbsoluteUri ? $"{url.Scheme}://{url.Authority}" : "(relative URL)";

    /// <summary>
    /// Sends <paramref name="request"/>, following up to <see cref="MaxRedirects"/> redirects, and returns the
    /// final response with at most <see cref="OutboundRequest.MaxResponseBytes"/> of its body.
    /// </summary>
    /// <exception cref="OutboundException">There is no response; <see cref="OutboundException.Failure"/> says why.</exception>
    public async Task<OutboundResponse> SendAsync(OutboundRequest request, CancellationToken cancellationToken = default)
    {
        CheckRequest(request);
        long started = Stopwatch.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(request.Timeout);
        try
        {
            return await FollowAsync(request, started, deadline.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            string message = !deadline.IsCancellationRequested && e.InnerException is TimeoutException
                ? $"connecting to {Origin(request.Url)} took longer than {ConnectTimeout.TotalSeconds:0.###} s"
                : $"{Origin(request.Url)} did not answer within {request.Timeout.TotalSeconds:0.###} s";
            throw new OutboundException(OutboundFailure.Timeout, message, e);
        }
    }

    public void Dispose() => _client.Dispose();

    private async Task<OutboundResponse> FollowAsync(OutboundRequest request, long started, CancellationToken cancellationToken)
    {
        string origin = Origin(request.Url);
        Uri url = request.Url;
        HttpMethod method = request.Method;
        byte[]? body = request.Body;
        for (int redirects = 0; ; redirects++)
        {
            using var message = CreateMessage(request, method, url, body, sameOrigin: Origin(url) == origin);
            using var response = await SendOnceAsync(message, cancellationToken);
            if (!request.FollowRedirects || FindRedirectTarget(response, url) is not { } next)
            {
                var (kept, truncated) = await ReadBodyAsync(response, request.MaxResponseBytes, url, cancellationToken);
                return new OutboundResponse((int)response.StatusCode, url, CollectHeaders(response), kept, truncated,
                    Stopwatch.GetElapsedTime(started), redirects);
            }

            if (redirects == MaxRedirects)
            {
                throw new OutboundException(OutboundFailure.TooManyRedirects, $"{origin} redirected more than {MaxRedirects} times");
            }

            // RFC 9110 §15.4: 303 means "GET the result"; for 301/302 every client does the same in practice.
            // 307/308 exist precisely to keep the method and body.
            if (response.StatusCode is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
                && method != HttpMethod.Head)
            {
                method = HttpMethod.Get;
                body = null;
            }

            url = next;
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage message, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw Translate(e, message.RequestUri!);
        }
    }

    private static Uri? FindRedirectTarget(HttpResponseMessage response, Uri current)
    {
        if (response.StatusCode is not (HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect))
        {
            return null;
        }

        if (response.Headers.Location is not { } location)
        {
            return null; // nothing to follow: the 3xx itself is the answer
        }

        var next = location.IsAbsoluteUri ? location : new Uri(current, location);
        if (FindUrlProblem(next) is { } problem)
        {
            throw new OutboundException(OutboundFailure.BadRedirect, $"redirect from {Origin(current)} refused: the target URL {problem}");
        }

        if (current.Scheme == Uri.UriSchemeHttps && next.Scheme == Uri.UriSchemeHttp)
        {
            throw new OutboundException(OutboundFailure.BadRedirect, $"redirect from {Origin(current)} refused: it downgrades https to http");
        }

        return next;
    }

    private static string? FindUrlProblem(Uri url) =>
        !url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps) ? "must be an absolute http or https URL"
        : url.UserInfo.Length > 0 ? "must not contain a user name or password"
        : url.Host.Length == 0 ? "must have a host"
        : null;

    private static OutboundException Translate(Exception exception, Uri url)
    {
        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is OutboundException outbound)
            {
                return outbound; // raised by ConnectAsync, already worded for the log
            }
        }

        return exception is HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError or HttpRequestError.ConnectionError } http
            ? new OutboundException(OutboundFailure.ConnectFailed, $"could not connect to {Origin(url)} ({http.HttpRequestError})", exception)
            : new OutboundException(OutboundFailure.ProtocolError,
                $"the exchange with {Origin(url)} failed ({(exception as HttpRequestException)?.HttpRequestError.ToString() ?? "connection lost"})", exception);
    }
}
