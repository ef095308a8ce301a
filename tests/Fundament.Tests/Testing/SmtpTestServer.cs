using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Fundament.Tests.Testing;

/// <summary>How a <see cref="SmtpTestServer"/> behaves; use <c>with</c> for the unusual cases.</summary>
public sealed record SmtpTestServerOptions
{
    /// <summary>When set, STARTTLS is offered (or, with <see cref="ImplicitTls"/>, TLS starts at once).</summary>
    public X509Certificate2? Certificate { get; init; }

    public bool ImplicitTls { get; init; }

    /// <summary>The AUTH mechanisms advertised — only over TLS when there is a certificate, as real servers do.</summary>
    public string AuthMechanisms { get; init; } = "PLAIN LOGIN";

    public string? User { get; init; }

    public string? Password { get; init; }

    /// <summary>Replies that replace the normal answer, by step: <c>MAIL</c>, <c>RCPT</c>, <c>DATA</c> or <c>MESSAGE</c>.</summary>
    public IReadOnlyDictionary<string, string> Replies { get; init; } = new Dictionary<string, string>();

    /// <summary>A step (as in <see cref="Replies"/>) the server never answers.</summary>
    public string? Stall { get; init; }

    /// <summary>Sends an extra clear-text reply right after "220 Ready" to STARTTLS, as an injecting attacker would.</summary>
    public bool InjectAfterStartTls { get; init; }
}

/// <summary>
/// A small SMTP server on 127.0.0.1 that speaks EHLO, STARTTLS, AUTH PLAIN/LOGIN, MAIL, RCPT, DATA and QUIT,
/// records what it received, and can be told to refuse or stall at a given step.
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly SmtpTestServerOptions _options;
    private readonly Task _accepting;

    public SmtpTestServer(SmtpTestServerOptions? options = null)
    {
        _options = options ?? new SmtpTestServerOptions();
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>A message as the server got it: the envelope, the DATA with dot-stuffing undone, and how it came.</summary>
    public sealed record Received(string From, IReadOnlyList<string> To, string Data, bool Tls, string? User);

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public ConcurrentQueue<Received> Messages { get; } = new();

    /// <summary>Every command line received, in order (AUTH payloads included, to check what was sent).</summary>
    public ConcurrentQueue<string> Commands { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var sessions = new List<Task>();
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                sessions.Add(ServeAsync(client));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        await Task.WhenAll(sessions);
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                await new Session(this, client.GetStream()).RunAsync(_stop.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
            {
                // The client went away or refused our certificate: both are cases the tests provoke.
            }
        }
    }

    private sealed class Session(SmtpTestServer server, Stream stream)
    {
        private readonly SmtpTestServerOptions _options = server._options;
        private Stream _stream = stream;
        private bool _tls;
        private string? _user;
        private string? _from;
        private List<string> _to = [];

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            if (_options.ImplicitTls)
            {
                await UpgradeAsync(cancellationToken);
            }

            await WriteAsync("220 test.localhost ESMTP ready", cancellationToken);
            while (await ReadLineAsync(cancellationToken) is { } line)
            {
                server.Commands.Enqueue(line);
                string verb = line.Split(' ', 2)[0].ToUpperInvariant();
                string argument = line.Length > verb.Length ? line[(verb.Length + 1)..] : string.Empty;
                if (!await HandleAsync(verb, argument, cancellationToken))
                {
                    return;
                }
            }
        }

        private async Task<bool> HandleAsync(string verb, string argument, CancellationToken cancellationToken)
        {
            switch (verb)
            {
                case "EHLO":
                    var lines = new List<string> { "test.localhost greets you" };
                    if (_options.Certificate is not null && !_tls)
                    {
                        lines.Add("STARTTLS");
                    }

                    if (_options.AuthMechanisms.Length > 0 && (_tls || _options.Certificate is null))
                    {
                        lines.Add($"AUTH {_options.AuthMechanisms}");
                    }

                    lines.Add("SIZE 1000000");
                    for (int i = 0; i < lines.Count; i++)
                    {
                        await WriteAsync($"250{(i < lines.Count - 1 ? '-' : ' ')}{lines[i]}", cancellationToken);
                    }

                    break;
                case "STARTTLS":
                    await WriteAsync(_options.InjectAfterStartTls ? "220 Ready\r\n250 injected" : "220 Ready to start TLS", cancellationToken);
                    await UpgradeAsync(cancellationToken);
                    break;
                case "AUTH":
                    await AuthenticateAsync(argument, cancellationToken);
                    break;
                case "MAIL":
                    if (await ReplyAsync("MAIL", "250 2.1.0 Sender ok", cancellationToken))
                    {
                        _from = Between(argument, '<', '>');
                        _to = [];
                    }

                    break;
                case "RCPT":
                    if (await ReplyAsync("RCPT", "250 2.1.5 Recipient ok", cancellationToken))
                    {
                        _to.Add(Between(argument, '<', '>'));
                    }

                    break;
                case "DATA":
                    if (await ReplyAsync("DATA", "354 End data with <CR><LF>.<CR><LF>", cancellationToken))
                    {
                        await ReceiveDataAsync(cancellationToken);
                    }

                    break;
                case "QUIT":
                    await WriteAsync("221 2.0.0 Bye", cancellationToken);
                    return false;
                case "RSET" or "NOOP":
                    await WriteAsync("250 2.0.0 Ok", cancellationToken);
                    break;
                default:
                    await WriteAsync("502 5.5.2 Command not recognized", cancellationToken);
                    break;
            }

            return true;
        }

        private async Task ReceiveDataAsync(CancellationToken cancellationToken)
        {
            var data = new StringBuilder();
            while (await ReadLineAsync(cancellationToken) is { } line && line != ".")
            {
                // RFC 5321 §4.5.2: the receiver drops the first '.' of any line that starts with one.
                data.Append(line.StartsWith('.') ? line[1..] : line).Append("\r\n");
            }

            if (await ReplyAsync("MESSAGE", "250 2.0.0 Ok: queued as TEST1", cancellationToken))
            {
                server.Messages.Enqueue(new Received(_from!, _to, data.ToString(), _tls, _user));
            }
        }

        private async Task AuthenticateAsync(string argument, CancellationToken cancellationToken)
        {
            string[] parts = argument.Split(' ', 2);
            string mechanism = parts[0].ToUpperInvariant();
            string? user;
            string? password;
            if (mechanism == "PLAIN")
            {
                string response = parts.Length > 1 ? parts[1] : await ChallengeAsync(string.Empty, cancellationToken);
                string[] fields = Decode(response).Split('\0');
                (user, password) = fields.Length == 3 ? (fields[1], fields[2]) : (null, null);
            }
            else if (mechanism == "LOGIN")
            {
                user = Decode(await ChallengeAsync("VXNlcm5hbWU6", cancellationToken));
                password = Decode(await ChallengeAsync("UGFzc3dvcmQ6", cancellationToken));
            }
            else
            {
                await WriteAsync("504 5.5.4 Unrecognized authentication type", cancellationToken);
                return;
            }

            bool ok = user == _options.User && password == _options.Password;
            _user = ok ? user : null;
            await WriteAsync(ok ? "235 2.7.0 Authentication successful" : "535 5.7.8 Authentication credentials invalid", cancellationToken);
        }

        private async Task<string> ChallengeAsync(string challenge, CancellationToken cancellationToken)
        {
            await WriteAsync($"334 {challenge}", cancellationToken);
            return await ReadLineAsync(cancellationToken) ?? string.Empty;
        }

        /// <summary>Answers a step with its configured reply, or the normal one; false when it was refused or stalled.</summary>
        private async Task<bool> ReplyAsync(string step, string normal, CancellationToken cancellationToken)
        {
            if (_options.Stall == step)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            string reply = _options.Replies.TryGetValue(step, out string? configured) ? configured : normal;
            await WriteAsync(reply, cancellationToken);
            return reply == normal;
        }

        private async Task UpgradeAsync(CancellationToken cancellationToken)
        {
            var ssl = new SslStream(_stream);
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _options.Certificate }, cancellationToken);
            _stream = ssl;
            _tls = true;
        }

        private async Task WriteAsync(string line, CancellationToken cancellationToken)
        {
            await _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\r\n"), cancellationToken);
            await _stream.FlushAsync(cancellationToken);
        }

        private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            // Byte by byte, so nothing is buffered past a STARTTLS; speed does not matter here.
            var line = new List<byte>();
            byte[] one = new byte[1];
            while (await _stream.ReadAsync(one, cancellationToken) == 1)
            {
                if (one[0] == '\n')
                {
                    return Encoding.UTF8.GetString([.. line]).TrimEnd('\r');
                }

                line.Add(one[0]);
            }

            return null;
        }

        private static string Decode(string base64) => Encoding.UTF8.GetString(Convert.FromBase64String(base64));

        private static string Between(string text, char open, char close) =>
            text[(text.IndexOf(open) + 1)..text.LastIndexOf(close)];
    }
}
