using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Fundament.Tests.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fundament.Tests.Realtime;

/// <summary>
/// The real application on Kestrel at 127.0.0.1 on a free port — streams need a real socket (TestServer
/// does not stream reliably, and a client that stops reading only exists over TCP) — against a fresh
/// database, as <see cref="TestApp"/> builds it. Clients are plain <see cref="HttpClient"/>s.
/// </summary>
internal sealed class RealtimeTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _dataDirectory;
    private readonly List<HttpClient> _clients = [];

    private RealtimeTestServer(WebApplication app, string dataDirectory, Uri baseAddress)
    {
        _app = app;
        _dataDirectory = dataDirectory;
        BaseAddress = baseAddress;
        Admin = Client();
        Anonymous = Client();
    }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>A client with the superuser's token once <see cref="StartAsync"/> returns.</summary>
    public HttpClient Admin { get; }

    public HttpClient Anonymous { get; }

    public static async Task<RealtimeTestServer> StartAsync(DbKind kind, IDictionary<string, string?>? settings = null)
    {
        string dataDirectory = Path.Combine(Path.GetTempPath(), "fundament-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        var values = new Dictionary<string, string?>
        {
            ["Fundament:DataDirectory"] = dataDirectory,
            ["Fundament:SuperuserEmail"] = TestApp.SuperuserEmail,
            ["Fundament:SuperuserPassword"] = TestApp.SuperuserPassword,
            ["Fundament:SqliteFullSync"] = "false",
            ["Fundament:AuthRequestsPerMinute"] = "100000",
        };
        if (kind == DbKind.Postgres)
        {
            values["Fundament:Database"] = await PostgresCluster.CreateDatabaseAsync();
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(values);
        builder.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("FUNDAMENT_TEST_LOGS") == "1")
        {
            builder.Logging.AddConsole();
        }

        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddFundament();
        var app = builder.Build();
        app.MapFundament();
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        var server = new RealtimeTestServer(app, dataDirectory, new Uri(address));
        server.Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            await server.SignInAsync("/api/admin/auth/login", TestApp.SuperuserEmail, TestApp.SuperuserPassword));
        return server;
    }

    public T Get<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>A new client (its own connections); with a token when given.</summary>
    public HttpClient Client(string? token = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        _clients.Add(client);
        return client;
    }

    public async Task<string> SignInAsync(string path, string email, string password)
    {
        using var response = await Anonymous.PostAsJsonAsync(path, new { email, password });
        var json = await response.ReadJsonAsync();
        Assert.True(response.IsSuccessStatusCode, $"sign-in failed: {(int)response.StatusCode} {json}");
        return json.GetProperty("data").GetProperty("accessToken").GetString()!;
    }

    /// <summary>Signs a new user up and in; returns its id and access token.</summary>
    public async Task<(string Id, string Token)> CreateUserAsync(string email)
    {
        string id = (await CreateRecordAsync("users", new { email, password = "password of " + email })).GetProperty("id").GetString()!;
        return (id, await SignInAsync("/api/auth/login", email, "password of " + email));
    }

    public async Task CreateCollectionAsync(string json)
    {
        using var response = await Admin.PostAsync("/api/collections", TestApp.JsonContent(json));
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"creating a collection failed: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Creates a record as the superuser and returns its JSON.</summary>
    public async Task<JsonElement> CreateRecordAsync(string collection, object record)
    {
        using var response = await Admin.PostAsJsonAsync($"/api/{collection}", record);
        var json = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"creating a record failed: {(int)response.StatusCode} {json}");
        return json.GetProperty("data").Clone();
    }

    public async Task<string> CreateIdAsync(string collection, object record) =>
        (await CreateRecordAsync(collection, record)).GetProperty("id").GetString()!;

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow shutdown; the temp directory is cleaned up later.
        }
    }
}
