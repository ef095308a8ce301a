using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Fundament.Tests.Testing;

/// <summary>
/// <c>fundament serve</c> as a real child process on a loopback port — for tests that must kill a
/// server (SIGKILL) or run several nodes against one database.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    private ServerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }

    /// <summary>A client signed in as the test superuser once <see cref="StartAsync"/> returns.</summary>
    public HttpClient Client { get; }

    /// <summary>What the process wrote, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts a server on a free port with <paramref name="environment"/> added to the test superuser's settings, and waits until it is ready (bounded: 60 s).</summary>
    public static async Task<ServerProcess> StartAsync(string dataDirectory, IDictionary<string, string> environment)
    {
        int port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Fundament.Server.dll"), "serve", "--http", $"127.0.0.1:{port}", "--dir", dataDirectory },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["FUNDAMENT_SUPERUSER_EMAIL"] = TestApp.SuperuserEmail;
        start.Environment["FUNDAMENT_SUPERUSER_PASSWORD"] = TestApp.SuperuserPassword;
        start.Environment["FUNDAMENT_ALLOW_PRIVATE_TARGETS"] = "true";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the server");
        var server = new ServerProcess(process, port);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await server.WaitUntilReadyAsync();
        return server;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.False(_process.HasExited, $"the server exited during start-up:\n{Output}");
            try
            {
                using var ready = await Client.GetAsync("/api/health/ready");
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            Assert.True(DateTime.UtcNow < deadline, $"the server did not become ready:\n{Output}");
            await Task.Delay(100);
        }

        using var login = await Client.PostAsJsonAsync("/api/admin/auth/login", new { email = TestApp.SuperuserEmail, password = TestApp.SuperuserPassword });
        var json = await login.Content.ReadFromJsonAsync<JsonElement>();
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", json.GetProperty("data").GetProperty("accessToken").GetString());
    }

    /// <summary>Kills the process at once (SIGKILL on Linux): no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await KillAsync();
        _process.Dispose();
    }
}
