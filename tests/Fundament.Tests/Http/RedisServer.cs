using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Fundament.Http.RateLimiting;

namespace Fundament.Tests.Http;

/// <summary>
/// A throwaway <c>redis-server</c> from the Debian package on a free loopback port, with persistence off,
/// one per test. When the binary is missing the Redis tests skip loudly — except under CI, where they fail.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly string[] Candidates = ["/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server"];
    private readonly Process _process;

    private RedisServer(Process process, int port)
    {
        _process = process;
        Port = port;
        Connection = new RedisConnection(new RedisEndpoint("127.0.0.1", port, null, null, 0, Tls: false));
    }

    public int Port { get; }

    public string Url => $"redis://127.0.0.1:{Port}";

    /// <summary>A client for looking at what the app stored.</summary>
    public RedisConnection Connection { get; }

    /// <summary>Starts a server and waits until it answers PING (bounded: 10 s); skips or fails when redis-server is missing.</summary>
    public static async Task<RedisServer> StartAsync(int? port = null)
    {
        string? binary = Candidates.FirstOrDefault(File.Exists);
        if (binary is null)
        {
            string message = "Redis tests need redis-server (apt-get install redis-server); none found in " + string.Join(", ", Candidates);
            Console.Error.WriteLine("WARNING: " + message + "; Redis tests are skipped.");
            if (Environment.GetEnvironmentVariable("CI") is "true" or "1")
            {
                Assert.Fail(message);
            }

            Assert.Skip(message);
        }

        port ??= FreePort();
        var start = new ProcessStartInfo(binary)
        {
            ArgumentList = { "--port", port.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning", "--dir", Path.GetTempPath() },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServer(process, port.Value);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                if (await server.Connection.ExecuteAsync("PING") as string == "PONG")
                {
                    return server;
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or TimeoutException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline || process.HasExited)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"redis-server on port {port} did not start within 10 s");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Stops the server at once, as a crash would.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Connection.Dispose();
        await KillAsync();
        _process.Dispose();
    }

    /// <summary>A loopback port nothing listens on (for as long as nobody takes it).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
