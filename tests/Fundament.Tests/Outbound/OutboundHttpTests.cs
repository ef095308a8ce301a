using System.Net;
using System.Net.Sockets;
using System.Text;
using Fundament.Outbound;

namespace Fundament.Tests.Outbound;

public sealed class OutboundHttpTests(OutboundTestServer server) : IClassFixture<OutboundTestServer>
{
    private static OutboundHttp Client(bool allowPrivateTargets) => new(new FundamentOptions { AllowPrivateTargets = allowPrivateTargets });

    private static OutboundRequest Get(Uri url) => new(HttpMethod.Get, url);

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task Loopback_targets_are_refused_before_any_request_is_sent(string host)
    {
        using var client = Client(allowPrivateTargets: false);
        int hits = server.Hits;

        var error = await Assert.ThrowsAsync<OutboundException>(() =>
            client.SendAsync(Get(new Uri($"http://{host}:{server.Port}/hello")), TestContext.Current.CancellationToken));

        Assert.Equal(OutboundFailure.Refused, error.Failure);
        Assert.False(error.IsRetryable);
        Assert.Contains(host, error.Message, StringComparison.Ordinal);
        Assert.Equal(hits, server.Hits);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task Loopback_targets_are_reached_when_private_targets_are_allowed(string host)
    {
        using var client = Client(allowPrivateTargets: true);

        var response = await client.SendAsync(Get(new Uri($"http://{host}:{server.Port}/hello")), TestContext.Current.CancellationToken);

        Assert.Equal(200, response.StatusCode);
        Assert.True(response.IsSuccess);
        Assert.Equal("hello", response.BodyText());
        Assert.False(response.Truncated);
        Assert.Equal(0, response.Redirects);
        Assert.StartsWith("text/plain", response.ContentType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Body_headers_content_type_and_user_agent_are_sent()
    {
        using var client = Client(allowPrivateTargets: true);
        var request = new OutboundRequest(HttpMethod.Post, server.Url("/echo"))
        {
            Body = Encoding.UTF8.GetBytes("""{"a":1}"""),
            ContentType = "application/json",
            Headers = [new("X-Test", "yes"), new("Authorization", "Bearer token")],
        };

        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal("POST bytes=7 type=application/json auth=Bearer token ua=Fundament/1.0 x=yes", response.BodyText());
    }

    [Fact]
    public async Task An_error_status_is_a_response_not_an_exception()
    {
        using var client = Client(allowPrivateTargets: true);

        var response = await client.SendAsync(Get(server.Url("/missing")), TestContext.Current.CancellationToken);

        Assert.Equal(404, response.StatusCode);
        Assert.False(response.IsSuccess);
    }

    [Fact]
    public async Task An_endless_body_is_read_only_up_to_the_limit()
    {
        using var client = Client(allowPrivateTargets: true);

        var response = await client.SendAsync(Get(server.Url("/endless")) with { MaxResponseBytes = 10_000 },
            TestContext.Current.CancellationToken);

        Assert.Equal(10_000, response.Body.Length);
        Assert.True(response.Truncated);
    }

    [Theory]
    [InlineData("/bytes/5000", 1000, 1000, true)] // Content-Length over the limit
    [InlineData("/bytes/1000", 1000, 1000, false)] // exactly the limit
    [InlineData("/bytes/999", 1000, 999, false)]
    [InlineData("/chunked/5000", 1000, 1000, true)] // no Content-Length
    [InlineData("/chunked/1000", 1000, 1000, false)]
    [InlineData("/chunked/100000", OutboundRequest.DefaultMaxResponseBytes, 100000, false)]
    [InlineData("/bytes/10", 0, 0, true)]
    public async Task Bodies_are_kept_up_to_the_limit_and_marked_when_cut(string path, int limit, int kept, bool truncated)
    {
        using var client = Client(allowPrivateTargets: true);

        var response = await client.SendAsync(Get(server.Url(path)) with { MaxResponseBytes = limit }, TestContext.Current.CancellationToken);

        Assert.Equal(kept, response.Body.Length);
        Assert.Equal(truncated, response.Truncated);
    }

    [Theory]
    [InlineData("/slow")] // no headers
    [InlineData("/trickle")] // headers, then a body that never ends
    public async Task A_call_that_takes_longer_than_its_timeout_fails_with_timeout(string path)
    {
        using var client = Client(allowPrivateTargets: true);

        var error = await Assert.ThrowsAsync<OutboundException>(() =>
            client.SendAsync(Get(server.Url(path)) with { Timeout = TimeSpan.FromMilliseconds(300) }, TestContext.Current.CancellationToken));

        Assert.Equal(OutboundFailure.Timeout, error.Failure);
        Assert.True(error.IsRetryable);
        Assert.Contains($"http://127.0.0.1:{server.Port}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_the_callers_token_is_a_cancellation_not_a_failure()
    {
        using var client = Client(allowPrivateTargets: true);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SendAsync(Get(server.Url("/slow")), cancel.Token));
    }

    [Fact]
    public async Task A_closed_port_fails_to_connect()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = Client(allowPrivateTargets: true);

        var error = await Assert.ThrowsAsync<OutboundException>(() =>
            client.SendAsync(Get(new Uri($"http://127.0.0.1:{port}/")), TestContext.Current.CancellationToken));

        Assert.Equal(OutboundFailure.ConnectFailed, error.Failure);
        Assert.True(error.IsRetryable);
    }

    [Fact]
    public async Task User_info_is_refused_and_never_repeated_in_the_message()
    {
        using var client = Client(allowPrivateTargets: true);

        var error = await Assert.ThrowsAsync<OutboundException>(() =>
            client.SendAsync(Get(new Uri($"http://admin:hunter2@127.0.0.1:{server.Port}/hello")), TestContext.Current.CancellationToken));

        Assert.Equal(OutboundFailure.InvalidRequest, error.Failure);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, OutboundRequest> InvalidRequests() => new()
    {
        { "scheme", Get(new Uri("ftp://example.com/")) },
        { "timeout too long", Get(new Uri("http://example.com/")) with { Timeout = TimeSpan.FromMinutes(6) } },
        { "timeout zero", Get(new Uri("http://example.com/")) with { Timeout = TimeSpan.Zero } },
        { "response limit", Get(new Uri("http://example.com/")) with { MaxResponseBytes = OutboundRequest.MaxResponseBytesLimit + 1 } },
        { "header injection", Get(new Uri("http://example.com/")) with { Headers = [new("X-A", "a\r\nHost: evil")] } },
        { "header name", Get(new Uri("http://example.com/")) with { Headers = [new("X A", "a")] } },
        { "framing header", Get(new Uri("http://example.com/")) with { Headers = [new("Host", "internal")] } },
        { "content type", Get(new Uri("http://example.com/")) with { ContentType = "text/plain\n" } },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task Invalid_requests_fail_before_any_connection(string name, OutboundRequest request)
    {
        using var client = Client(allowPrivateTargets: false);

        var error = await Assert.ThrowsAsync<OutboundException>(() => client.SendAsync(request, TestContext.Current.CancellationToken));

        Assert.True(error.Failure == OutboundFailure.InvalidRequest, name);
    }

    [Theory]
    [InlineData("https://example.com/hooks", null)]
    [InlineData("http://127.0.0.1:8080/x", null)] // addresses are judged at call time, after DNS
    [InlineData("ftp://example.com/", "must be an absolute http or https URL")]
    [InlineData("file:///etc/passwd", "must be an absolute http or https URL")]
    [InlineData("/relative/path", "must be an absolute http or https URL")]
    [InlineData("example.com/path", "must be an absolute http or https URL")]
    [InlineData("javascript:alert(1)", "must be an absolute http or https URL")]
    [InlineData("https://user:pass@example.com/", "must not contain a user name or password")]
    [InlineData("  ", "must not be empty")]
    public void Urls_given_to_the_api_are_validated(string url, string? expectedError)
    {
        bool valid = OutboundHttp.TryValidateUrl(url, out var uri, out string? error);

        Assert.Equal(expectedError is null, valid);
        Assert.Equal(expectedError, error);
        Assert.Equal(valid, uri is not null);
    }

    [Fact]
    public void Long_urls_are_refused() =>
        Assert.False(OutboundHttp.TryValidateUrl("https://example.com/" + new string('a', OutboundHttp.MaxUrlLength), out _, out _));

    [Fact]
    public void The_origin_drops_user_info_path_and_query() =>
        Assert.Equal("https://example.com:8443", OutboundHttp.Origin(new Uri("https://u:p@example.com:8443/services/T0/B0/secret?key=k")));

    [Fact]
    public void A_body_excerpt_is_cut_on_a_character_boundary()
    {
        var response = new OutboundResponse(200, new Uri("http://example.com/"), new Dictionary<string, string>(),
            Encoding.UTF8.GetBytes("aéé"), Truncated: false, TimeSpan.Zero, 0);

        Assert.Equal("a…", response.BodyExcerpt(2)); // byte 2 is the middle of the first é
        Assert.Equal("aé…", response.BodyExcerpt(4));
        Assert.Equal("aéé", response.BodyExcerpt());
    }
}
