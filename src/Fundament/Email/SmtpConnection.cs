using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Fundament.Email;

/// <summary>One SMTP reply: the code and its text lines (multi-line replies joined).</summary>
internal sealed record SmtpReply(int Code, IReadOnlyList<string> Lines)
{
    private const int MaxTextLength = 300;

    /// <summary>The reply text, one line, without control characters and cut short, for logs and error messages.</summary>
    public string Text
    {
        get
        {
            var text = new StringBuilder();
            foreach (string line in Lines)
            {
                foreach (char c in line)
                {
                    text.Append(char.IsControl(c) ? ' ' : c);
                }

                text.Append(' ');
            }

            string joined = text.ToString().Trim();
            return joined.Length > MaxTextLength ? joined[..MaxTextLength] + "…" : joined;
        }
    }
}

/// <summary>
/// The wire under <see cref="SmtpEmailSender"/>: a TCP connection that can be upgraded to TLS, CRLF commands,
/// multi-line replies, and a timeout on every exchange. Errors carry the step's name, never the command text,
/// because some commands (AUTH) carry credentials.
/// </summary>
internal sealed class SmtpConnection : IAsyncDisposable
{
    // RFC 5321 §4.5.3.1.5 caps a reply line at 512 octets; be lenient, but not unbounded.
    private const int MaxLineLength = 4096;
    private const int MaxReplyLines = 200;

    private readonly TcpClient _tcp;
    private readonly string _server;
    private readonly TimeSpan _timeout;
    private readonly byte[] _buffer = new byte[MaxLineLength];
    private Stream _stream;
    private int _start;
    private int _end;

    private SmtpConnection(TcpClient tcp, string server, TimeSpan timeout)
    {
        _tcp = tcp;
        _server = server;
        _timeout = timeout;
        _stream = tcp.GetStream();
    }

    public bool IsEncrypted => _stream is SslStream;

    /// <summary>The client's name for EHLO: an address literal, which RFC 5321 §4.1.4 allows when there is no FQDN.</summary>
    public string LocalName => _tcp.Client.LocalEndPoint is IPEndPoint { Address: var address }
        ? address.IsIPv4MappedToIPv6 || address.AddressFamily == AddressFamily.InterNetwork
            ? $"[{address.MapToIPv4()}]"
            : $"[IPv6:{address}]"
        : "[127.0.0.1]";

    public static async Task<SmtpConnection> ConnectAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        string server = $"{host}:{port}";
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await Guard(server, "connect", timeout, token => tcp.ConnectAsync(host, port, token).AsTask(), cancellationToken);
            return new SmtpConnection(tcp, server, timeout);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Starts TLS on the connection: at once for implicit TLS, or after a 220 reply to STARTTLS.</summary>
    public async Task UpgradeAsync(SslClientAuthenticationOptions options, CancellationToken cancellationToken)
    {
        if (_end > _start)
        {
            // Bytes that arrived before the handshake were sent in clear text and could be an attacker's
            // injected replies (CVE-2011-0411); they must not be read as if they came over TLS.
            throw new EmailSendException($"SMTP {_server} sent data ahead of the TLS handshake; refusing to continue", permanent: true);
        }

        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        try
        {
            await Guard(_server, "the TLS handshake", _timeout, token => ssl.AuthenticateAsClientAsync(options, token), cancellationToken);
        }
        catch (Exception e)
        {
            await ssl.DisposeAsync();
            if (e is AuthenticationException)
            {
                // An untrusted or mismatched certificate will not fix itself between retries.
                throw new EmailSendException($"SMTP {_server}: the TLS handshake failed: {e.Message}", permanent: true, e);
            }

            throw;
        }

        _stream = ssl;
    }

    /// <summary>Reads a reply without sending anything first (the greeting).</summary>
    public Task<SmtpReply> ReadReplyAsync(string step, CancellationToken cancellationToken) =>
        Guard(_server, step, _timeout, ReadReplyCoreAsync, cancellationToken);

    /// <summary>Sends one command line (CRLF added) and reads the reply; <paramref name="step"/> names it in errors.</summary>
    public Task<SmtpReply> SendAsync(string command, string step, CancellationToken cancellationToken) =>
        SendRawAsync(Encoding.ASCII.GetBytes(command + "\r\n"), step, cancellationToken);

    /// <summary>Sends bytes as they are (the dot-stuffed message) and reads the reply.</summary>
    public Task<SmtpReply> SendRawAsync(byte[] bytes, string step, CancellationToken cancellationToken) =>
        Guard(_server, step, _timeout, async token =>
        {
            await _stream.WriteAsync(bytes, token);
            await _stream.FlushAsync(token);
            return await ReadReplyCoreAsync(token);
        }, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }

    private async Task<SmtpReply> ReadReplyCoreAsync(CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        while (lines.Count < MaxReplyLines)
        {
            string line = await ReadLineAsync(cancellationToken);
            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out int code) ||
                code is < 200 or > 599 || (line.Length > 3 && line[3] is not (' ' or '-')))
            {
                throw new EmailSendException($"SMTP {_server} sent a malformed reply", permanent: false);
            }

            lines.Add(line.Length > 4 ? line[4..] : string.Empty);
            if (line.Length == 3 || line[3] == ' ')
            {
                return new SmtpReply(code, lines);
            }
        }

        throw new EmailSendException($"SMTP {_server} sent a reply of more than {MaxReplyLines} lines", permanent: false);
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                int length = newline - _start;
                if (length > 0 && _buffer[newline - 1] == '\r')
                {
                    length--;
                }

                string line = Encoding.UTF8.GetString(_buffer, _start, length);
                _start = newline + 1;
                return line;
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                throw new EmailSendException($"SMTP {_server} sent a reply line longer than {MaxLineLength} bytes", permanent: false);
            }

            int read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0)
            {
                throw new EmailSendException($"SMTP {_server} closed the connection", permanent: false);
            }

            _end += read;
        }
    }

    /// <summary>Runs one exchange under the per-command timeout and turns network failures into transient errors.</summary>
    private static async Task<T> Guard<T>(string server, string step, TimeSpan timeout, Func<CancellationToken, Task<T>> exchange, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await exchange(deadline.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EmailSendException($"SMTP {server}: no answer to {step} within {timeout.TotalSeconds:0} s", permanent: false, e);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            throw new EmailSendException($"SMTP {server}: the connection failed during {step}: {e.Message}", permanent: false, e);
        }
    }

    private static Task Guard(string server, string step, TimeSpan timeout, Func<CancellationToken, Task> exchange, CancellationToken cancellationToken) =>
        Guard(server, step, timeout, async token =>
        {
            await exchange(token);
            return true;
        }, cancellationToken);
}
