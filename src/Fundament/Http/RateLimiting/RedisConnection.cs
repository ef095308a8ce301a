using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Fundament.Http.RateLimiting;

/// <summary>An error reply from Redis, such as <c>NOSCRIPT</c>; the connection stays usable.</summary>
public sealed class RedisErrorException(string message) : Exception(message);

/// <summary>Every pooled connection stayed busy past the deadline: this node is busy, Redis may be fine.</summary>
public sealed class RedisBusyException(string message) : TimeoutException(message);

/// <summary>
/// A small Redis client speaking RESP2 over a pool of connections, each used by one command at a time.
/// Only what Fundament sends: a few commands with string arguments, replies of strings, integers and
/// arrays. Every command has a deadline, so a Redis that hangs costs a request at most
/// <see cref="Timeout"/>, and a connection that failed or timed out is thrown away, never reused.
/// </summary>
/// <remarks>
/// A hand-written client rather than StackExchange.Redis: its 3.x packages depend on RESPite and
/// System.IO.Hashing, and its 2.x ones on Pipelines.Sockets.Unofficial, none of which the package mirror
/// this project builds from carries. The protocol needed here is a page of code.
/// </remarks>
public sealed class RedisConnection(RedisEndpoint endpoint) : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(500);
    private const int MaxConnections = 32;

    private readonly ConcurrentQueue<Link> _idle = new();
    private readonly SemaphoreSlim _slots = new(MaxConnections, MaxConnections);

    public RedisEndpoint Endpoint { get; } = endpoint;

    /// <summary>
    /// Sends one command and returns its reply: a string, a long, an array of replies, or null. An error reply
    /// throws <see cref="RedisErrorException"/>; an unreachable or slow server throws an IO, socket or timeout error.
    /// </summary>
    public async Task<object?> ExecuteAsync(params string[] command)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        if (!await _slots.WaitAsync(Timeout))
        {
            throw new RedisBusyException($"All {MaxConnections} connections to Redis are busy");
        }

        try
        {
            if (_idle.TryDequeue(out var pooled))
            {
                try
                {
                    return await SendAsync(pooled, command, deadline.Token);
                }
                catch (IOException) when (!deadline.IsCancellationRequested)
                {
                    // A pooled connection that the server (or a proxy) closed while it sat idle, as after a Redis
                    // restart; the rest of the pool most likely went with it. One fresh connection gets a fair try.
                    ClosePooled();
                }
            }

            return await SendAsync(await OpenAsync(deadline.Token), command, deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"Redis did not answer within {Timeout.TotalMilliseconds} ms");
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => ClosePooled();

    private void ClosePooled()
    {
        while (_idle.TryDequeue(out var link))
        {
            link.Dispose();
        }
    }

    // A connection that failed mid-command is in an unknown state and is closed; one that answered goes back to the pool.
    private async Task<object?> SendAsync(Link link, string[] command, CancellationToken cancellationToken)
    {
        object? reply;
        try
        {
            reply = await link.SendAsync(command, cancellationToken);
        }
        catch
        {
            link.Dispose();
            throw;
        }

        _idle.Enqueue(link);
        return reply is RedisErrorException error ? throw error : reply;
    }

    private async Task<Link> OpenAsync(CancellationToken cancellationToken)
    {
        var tcp = new TcpClient { NoDelay = true };
        Link? link = null;
        try
        {
            await tcp.ConnectAsync(Endpoint.Host, Endpoint.Port, cancellationToken);
            Stream stream = tcp.GetStream();
            if (Endpoint.Tls)
            {
                var tls = new SslStream(stream);
                stream = tls;
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = Endpoint.Host }, cancellationToken);
            }

            link = new Link(tcp, stream);
            if (Endpoint.Password is not null)
            {
                string[] auth = Endpoint.User is null ? ["AUTH", Endpoint.Password] : ["AUTH", Endpoint.User, Endpoint.Password];
                Expect(await link.SendAsync(auth, cancellationToken));
            }

            if (Endpoint.Database != 0)
            {
                Expect(await link.SendAsync(["SELECT", Endpoint.Database.ToString(CultureInfo.InvariantCulture)], cancellationToken));
            }

            return link;
        }
        catch
        {
            link?.Dispose();
            tcp.Dispose();
            throw;
        }
    }

    private static void Expect(object? reply)
    {
        if (reply is RedisErrorException error)
        {
            throw error;
        }
    }

    /// <summary>One connection: writes a command, reads the reply that answers it.</summary>
    private sealed class Link(TcpClient tcp, Stream stream) : IDisposable
    {
        private readonly byte[] _buffer = new byte[4096];
        private int _start;
        private int _end;

        public async Task<object?> SendAsync(string[] command, CancellationToken cancellationToken)
        {
            await stream.WriteAsync(Encode(command), cancellationToken);
            return await ReadAsync(cancellationToken);
        }

        public void Dispose()
        {
            stream.Dispose();
            tcp.Dispose();
        }

        // A command is an array of bulk strings: *<n>\r\n then $<length>\r\n<bytes>\r\n for each part.
        private static byte[] Encode(string[] command)
        {
            var text = new StringBuilder().Append('*').Append(command.Length).Append("\r\n");
            foreach (string part in command)
            {
                text.Append('$').Append(Encoding.UTF8.GetByteCount(part)).Append("\r\n").Append(part).Append("\r\n");
            }

            return Encoding.UTF8.GetBytes(text.ToString());
        }

        private async Task<object?> ReadAsync(CancellationToken cancellationToken)
        {
            string line = await ReadLineAsync(cancellationToken);
            if (line.Length == 0)
            {
                throw new IOException("Redis sent an empty reply line");
            }

            string rest = line[1..];
            switch (line[0])
            {
                case '+':
                    return rest;
                case '-':
                    return new RedisErrorException(rest);
                case ':':
                    return long.Parse(rest, CultureInfo.InvariantCulture);
                case '$':
                    int length = int.Parse(rest, CultureInfo.InvariantCulture);
                    if (length < 0)
                    {
                        return null;
                    }

                    byte[] bytes = await ReadExactlyAsync(length + 2, cancellationToken);
                    return Encoding.UTF8.GetString(bytes, 0, length);
                case '*':
                    int count = int.Parse(rest, CultureInfo.InvariantCulture);
                    if (count < 0)
                    {
                        return null;
                    }

                    var items = new object?[count];
                    for (int i = 0; i < count; i++)
                    {
                        items[i] = await ReadAsync(cancellationToken);
                    }

                    return items;
                default:
                    throw new IOException($"Unexpected reply from Redis: '{line[0]}'");
            }
        }

        private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                int newline = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
                if (newline >= 0)
                {
                    string line = Encoding.UTF8.GetString(_buffer, _start, newline);
                    _start += newline + 2;
                    return line;
                }

                await FillAsync(cancellationToken);
            }
        }

        private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
        {
            byte[] result = new byte[count];
            int copied = 0;
            while (copied < count)
            {
                if (_start == _end)
                {
                    await FillAsync(cancellationToken);
                }

                int take = Math.Min(count - copied, _end - _start);
                _buffer.AsSpan(_start, take).CopyTo(result.AsSpan(copied));
                _start += take;
                copied += take;
            }

            return result;
        }

        private async Task FillAsync(CancellationToken cancellationToken)
        {
            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                throw new IOException("A Redis reply line is longer than the read buffer");
            }

            int read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            _end += read > 0 ? read : throw new IOException("Redis closed the connection");
        }
    }
}
