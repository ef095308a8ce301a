using System.Net;
using System.Net.Sockets;
using System.Text;
using Fundament.Server;
using Fundament.Tests.Testing;

namespace Fundament.Tests.Server;

/// <summary>The host as <c>fundament serve</c> builds it, on Kestrel and a real loopback port.</summary>
[Collection(nameof(ConsoleCollection))]
public sealed class RealServerTests
{
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task Serve_answers_over_real_http_and_enforces_the_body_limit()
    {
        string dir = Path.Combine(Path.GetTempPath(), "fundament-serve", Guid.NewGuid().ToString("N"));
        int port = FreePort();
        Environment.SetEnvironmentVariable("FUNDAMENT_MAX_BODY_BYTES", "4096");
        try
        {
            await using var app = HostFactory.Build(new HostFactory.Overrides(Http: $"127.0.0.1:{port}", Dir: dir));
            await app.StartAsync();
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

            var health = await client.GetAsync("/api/health").ShouldBe(HttpStatusCode.OK);
            Assert.Equal("sqlite", health.GetProperty("data").GetProperty("database").GetProperty("provider").GetString());
            await client.GetAsync("/api/health/ready").ShouldBe(HttpStatusCode.OK);
            await client.PostAsync("/api/users", new StringContent("""{"name":"test","email":"test@example.com"}""", Encoding.UTF8, "application/json"))
                .ShouldBe(HttpStatusCode.Created);
            var users = await client.GetAsync("/api/users?limit=10").ShouldBe(HttpStatusCode.OK);
            Assert.Equal(0, users.GetProperty("data").GetArrayLength());

            string big = "{\"name\":\"" + new string('x', 8000) + "\",\"email\":\"b@example.com\"}";
            await client.PostAsync("/api/users", new StringContent(big, Encoding.UTF8, "application/json"))
                .ShouldBe(HttpStatusCode.RequestEntityTooLarge, "PAYLOAD_TOO_LARGE");
            Assert.True(File.Exists(Path.Combine(dir, "data.db")));
            await app.StopAsync();
        }
        finally
        {
            Environment.SetEnvironmentVariable("FUNDAMENT_MAX_BODY_BYTES", null);
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Start_up_refuses_a_changed_migration_file()
    {
        string dir = Path.Combine(Path.GetTempPath(), "fundament-serve", Guid.NewGuid().ToString("N"));
        try
        {
            await using (var first = await TestApp.StartAsync(DbKind.Sqlite, dataDirectory: dir))
            {
                await first.CreateCollectionAsync("""{"name":"posts","fields":[]}""");
            }

            string file = Directory.GetFiles(Path.Combine(dir, "migrations")).Single();
            await File.AppendAllTextAsync(file, "\n");
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestApp.StartAsync(DbKind.Sqlite, dataDirectory: dir));
            Assert.Contains("checksum", error.Message);
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
