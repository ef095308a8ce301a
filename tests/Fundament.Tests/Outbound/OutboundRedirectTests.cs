using System.Net;
using System.Text;
using Fundament.Outbound;

namespace Fundament.Tests.Outbound;

public sealed class OutboundRedirectTests(OutboundTestServer server) : IClassFixture<OutboundTestServer>
{
    private static OutboundHttp AllowAll() => new(new FundamentOptions { AllowPrivateTargets = true });

    private OutboundRequest Post(string to, int code, params KeyValuePair<string, string>[] headers) =>
        new(HttpMethod.Post, server.Url($"/redirect?code={code}&to={Uri.EscapeDataString(to)}"))
        {
            Body = Encoding.UTF8.GetBytes("payload"),
            ContentType = "text/plain",
            Headers = headers,
        };

    [Theory]
    [InlineData(301, "GET bytes=0 type= ")]
    [InlineData(302, "GET bytes=0 type= ")]
    [InlineData(303, "GET bytes=0 type= ")]
    [InlineData(307, "POST bytes=7 type=text/plain ")]
    [InlineData(308, "POST bytes=7 type=text/plain ")]
    public async Task Redirects_switch_to_get_or_keep_the_method_and_body_by_status(int code, string arrived)
    {
        using var client = AllowAll();

        var response = await client.SendAsync(Post("/echo", code), TestContext.Current.CancellationToken);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(1, response.Redirects);
        Assert.Equal(server.Url("/echo"), response.Url);
        Assert.StartsWith(arrived, response.BodyText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(302)]
    [InlineData(307)]
    public async Task Without_follow_redirects_the_redirect_is_the_answer(int code)
    {
        using var client = AllowAll();
        int hits = server.Hits;

        var response = await client.SendAsync(Post("/echo", code) with { FollowRedirects = false }, TestContext.Current.CancellationToken);

        Assert.Equal(code, response.StatusCode);
        Assert.Equal(0, response.Redirects);
        Assert.Equal(hits + 1, server.Hits);
    }

    [Fact]
    public async Task Up_to_five_redirects_are_followed()
    {
        using var client = AllowAll();

        var response = await client.SendAsync(new OutboundRequest(HttpMethod.Get, server.Url("/chain/5")), TestContext.Current.CancellationToken);

        Assert.Equal("done", response.BodyText());
        Assert.Equal(OutboundHttp.MaxRedirects, response.Redirects);
    }

    [Fact]
    public async Task A_sixth_redirect_fails()
    {
        using var client = AllowAll();

        var error = await Assert.ThrowsAsync<OutboundException>(() =>
            client.SendAsync(new OutboundRequest(HttpMethod.Get, server.Url("/chain/6")), TestContext.Current.CancellationToken));

        Assert.Equal(OutboundFailure.TooManyRedirects, error.Failure);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://10.0.0.1/")]
    [InlineData("http://127.0.0.2:{port}/hello")]
    [InlineData("http://[::1]:{port}/hello")]
    public async Task A_redirect_to_a_refused_address_is_refused(string target)
    {
        // The first hop (127.0.0.1) stands in for a public server; every other non-public address stays refused.
        using var client = new OutboundHttp(ip => ip.Equals(IPAddress.Loopback) || AddressPolicy.IsPublic(ip));
        int hits = server.Hits;

        var error = await Assert.ThrowsAsync<OutboundException>(() =>
            client.SendAsync(Post(target.Replace("{port}", server.Port.ToString(), StringComparison.Ordinal), 307),
                TestContext.Current.CancellationToken));

        Assert.Equal(OutboundFailure.Refused, error.Failure);
        Assert.Equal(hits + 1, server.Hits); // the first hop was served, the second never sent
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("gopher://127.0.0.1:6379/_INFO")]
    [InlineData("http://user:hunter2@example.com/")]
    public async Task A_redirect_to_another_scheme_or_with_user_info_is_refused(string target)
    {
        using var client = AllowAll();

        var error = await Assert.ThrowsAsync<OutboundException>(() => client.SendAsync(Post(target, 302), TestContext.Current.CancellationToken));

        Assert.Equal(OutboundFailure.BadRedirect, error.Failure);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorization_follows_a_redirect_within_the_origin_only()
    {
        using var client = AllowAll();
        KeyValuePair<string, string> auth = new("Authorization", "Bearer secret");

        var same = await client.SendAsync(Post("/echo", 307, auth), TestContext.Current.CancellationToken);
        var other = await client.SendAsync(Post($"http://localhost:{server.Port}/echo", 307, auth), TestContext.Current.CancellationToken);

        Assert.Contains("auth=Bearer secret", same.BodyText(), StringComparison.Ordinal);
        Assert.Contains("auth= ", other.BodyText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redirect_without_location_is_the_answer()
    {
        using var client = AllowAll();

        var response = await client.SendAsync(new OutboundRequest(HttpMethod.Get, server.Url("/redirect?code=302")),
            TestContext.Current.CancellationToken);

        Assert.Equal(302, response.StatusCode);
        Assert.Equal(0, response.Redirects);
    }
}
