using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fundament.Tests.Testing;

/// <summary>
/// The real application — the same <c>AddFundament()</c>/<c>MapFundament()</c> the host uses — on an
/// in-process test server, against a fresh database: SQLite in a temp directory, or a new database
/// in the run's PostgreSQL cluster.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    public const string SuperuserEmail = "root@example.com";
    public const string SuperuserPassword = "correct horse battery staple";

    private readonly WebApplication _app;

    private readonly bool _ownsDirectory;

    private TestApp(WebApplication app, string dataDirectory, DbKind kind, bool ownsDirectory)
    {
        _ownsDirectory = ownsDirectory;
        _app = app;
        DataDirectory = dataDirectory;
        Kind = kind;
        Anonymous = app.GetTestClient();
        Admin = app.GetTestClient();
    }

    public DbKind Kind { get; }

    public string DataDirectory { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>A client with no credentials.</summary>
    public HttpClient Anonymous { get; }

    /// <summary>A client with the superuser key.</summary>
    public HttpClient Admin { get; }

    public static async Task<TestApp> StartAsync(DbKind kind, IDictionary<string, string?>? settings = null, string? dataDirectory = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        bool ownsDirectory = dataDirectory is null;
        dataDirectory ??= Path.Combine(Path.GetTempPath(), "fundament-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        var values = new Dictionary<string, string?>
        {
            ["Fundament:DataDirectory"] = dataDirectory,
            ["Fundament:SuperuserEmail"] = SuperuserEmail,
            ["Fundament:SuperuserPassword"] = SuperuserPassword,
            ["Fundament:SqliteFullSync"] = "false",
            ["Fundament:AllowPrivateTargets"] = "true",
        };
        if (kind == DbKind.Postgres)
        {
            values["Fundament:Database"] = settings?.TryGetValue("Fundament:Database", out var given) == true && given is not null
                ? given
                : await PostgresCluster.CreateDatabaseAsync();
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(values);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (Environment.GetEnvironmentVariable("FUNDAMENT_TEST_LOGS") == "1")
        {
            builder.Logging.AddConsole();
        }

        builder.WebHost.UseTestServer();
        builder.AddFundament();
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapFundament();
        await app.StartAsync();
        var testApp = new TestApp(app, dataDirectory, kind, ownsDirectory);
        testApp.Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await testApp.SignInAsync("/api/admin/auth/login", SuperuserEmail, SuperuserPassword));
        return testApp;
    }

    public T Get<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>Signs in and returns the access token.</summary>
    public async Task<string> SignInAsync(string path, string email, string password)
    {
        using var response = await Anonymous.PostAsJsonAsync(path, new { email, password });
        var json = await response.ReadJsonAsync();
        Assert.True(response.IsSuccessStatusCode, $"sign-in failed: {(int)response.StatusCode} {json}");
        return json.GetProperty("data").GetProperty("accessToken").GetString()!;
    }

    /// <summary>A client signed in with the given token.</summary>
    public HttpClient ClientWithToken(string accessToken)
    {
        var client = _app.GetTestClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return client;
    }

    /// <summary>Creates a collection from JSON text as a superuser and asserts it worked.</summary>
    public async Task CreateCollectionAsync(string json)
    {
        using var response = await Admin.PostAsync("/api/collections", JsonContent(json));
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"creating a collection failed: {(int)response.StatusCode} {body}");
    }

    /// <summary>Creates a record as a superuser and returns its JSON.</summary>
    public async Task<JsonElement> CreateRecordAsync(string collection, object record)
    {
        using var response = await Admin.PostAsJsonAsync($"/api/{collection}", record);
        var json = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"creating a record failed: {(int)response.StatusCode} {json}");
        return json.GetProperty("data").Clone();
    }

    public static StringContent JsonContent(string json) => new(json, Encoding.UTF8, "application/json");

    public async ValueTask DisposeAsync()
    {
        Anonymous.Dispose();
        Admin.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            if (_ownsDirectory)
            {
                Directory.Delete(DataDirectory, recursive: true);
            }

        }
        catch (IOException)
        {
            // A file still open on a slow shutdown; the temp directory is cleaned up later.
        }
    }
}
