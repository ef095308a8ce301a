using System.Text.Json;
using Fundament.Email;
using Fundament.Tests.Testing;
using Microsoft.Extensions.Logging;

namespace Fundament.Tests.Email;

/// <summary>The HTTP API sender against a Resend-shaped server on 127.0.0.1: request shape, key, answer classification.</summary>
public sealed class HttpApiEmailSenderTests : IAsyncLifetime
{
    private const string Key = "re_test_0123456789abcdef";
    private static readonly EmailMessage Hello = new("Ada <ada@example.com>", "Hello — ça va?", "Hi Ada,\nwelcome.");

    private readonly Fundament.Outbound.OutboundHttp _http = new(new FundamentOptions { AllowPrivateTargets = true });
    private readonly LogRecorder<HttpApiEmailSender> _log = new();
    private EmailApiTestServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await EmailApiTestServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private HttpApiEmailSender Sender(string? url = null, int timeoutSeconds = 10) => new(_http, new EmailOptions
    {
        EmailProvider = EmailProviderKind.Http,
        EmailApiUrl = url ?? _server.BaseUrl,
        EmailApiKey = Key,
        EmailFrom = "Acme <no-reply@acme.test>",
        EmailTimeoutSeconds = timeoutSeconds,
    }, _log);

    [Fact]
    public async Task Posts_the_message_as_json_with_the_bearer_key_and_records_the_id()
    {
        await Sender().SendAsync(Hello, TestContext.Current.CancellationToken);

        var request = Assert.Single(_server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/emails", request.Path);
        Assert.Equal($"Bearer {Key}", request.Authorization);
        Assert.Equal("application/json", request.ContentType);
        using var json = JsonDocument.Parse(request.Body);
        var root = json.RootElement;
        Assert.Equal("Acme <no-reply@acme.test>", root.GetProperty("from").GetString());
        Assert.Equal(["Ada <ada@example.com>"], root.GetProperty("to").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(Hello.Subject, root.GetProperty("subject").GetString());
        Assert.Equal(Hello.Text, root.GetProperty("text").GetString());
        Assert.Equal(4, root.EnumerateObject().Count());
        string logged = Assert.Single(_log.Messages);
        Assert.Contains("49a3999c-0ce1-4ea6-ab68-afcd6dc2e794", logged, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, logged, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(202, null)]
    [InlineData(429, false)]
    [InlineData(408, false)]
    [InlineData(500, false)]
    [InlineData(503, false)]
    [InlineData(400, true)]
    [InlineData(401, true)]
    [InlineData(403, true)]
    [InlineData(422, true)]
    [InlineData(301, true)]
    public async Task Answers_are_classified_by_status(int status, bool? permanent)
    {
        _server.Status = status;
        _server.ResponseBody = status < 300 ? "{}" : $$"""{"statusCode":{{status}},"name":"test_error","message":"Rejected key {{Key}}"}""";
        var send = Sender().SendAsync(Hello, TestContext.Current.CancellationToken);
        if (permanent is null)
        {
            await send;
            return;
        }

        var error = await Assert.ThrowsAsync<EmailSendException>(() => send);
        Assert.Equal(permanent, error.IsPermanent);
        Assert.Contains($"answered {status}: test_error: Rejected key ***", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_quoted_short_and_on_one_line()
    {
        _server.Status = 502;
        _server.ResponseBody = "<html>\n" + new string('x', 1000) + "</html>";
        var error = await Assert.ThrowsAsync<EmailSendException>(() => Sender().SendAsync(Hello, TestContext.Current.CancellationToken));

        Assert.False(error.IsPermanent);
        Assert.DoesNotContain('\n', error.Message);
        Assert.True(error.Message.Length < 400, error.Message);
    }

    [Fact]
    public async Task A_slow_api_times_out_as_transient()
    {
        _server.Delay = TimeSpan.FromSeconds(5);
        var error = await Assert.ThrowsAsync<EmailSendException>(() => Sender(timeoutSeconds: 1).SendAsync(Hello, TestContext.Current.CancellationToken));

        Assert.False(error.IsPermanent);
        Assert.Contains("did not answer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_api_is_transient()
    {
        string url = _server.BaseUrl;
        await _server.DisposeAsync();
        var error = await Assert.ThrowsAsync<EmailSendException>(() => Sender(url).SendAsync(Hello, TestContext.Current.CancellationToken));

        Assert.False(error.IsPermanent);
        _server = await EmailApiTestServer.StartAsync();
    }

    [Fact]
    public async Task An_invalid_recipient_is_refused_before_any_request()
    {
        var error = await Assert.ThrowsAsync<EmailSendException>(() =>
            Sender().SendAsync(Hello with { To = "ada@example.com\r\nBcc: eve@example.com" }, TestContext.Current.CancellationToken));

        Assert.True(error.IsPermanent);
        Assert.Empty(_server.Requests);
    }

    /// <summary>Keeps formatted log messages, to check what is logged and that no secret is.</summary>
    private sealed class LogRecorder<T> : ILogger<T>
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add(formatter(state, exception));
    }
}
