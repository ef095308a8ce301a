namespace Fundament.Server;

/// <summary>Builds the application the way every command sees it: configuration, then command-line overrides.</summary>
internal static class HostFactory
{
    public sealed record Overrides(string? Http = null, string? Dir = null, string? Db = null);

    public static WebApplication Build(Overrides overrides, string[]? args = null)
    {
        // appsettings*.json are read once: reloading them on change makes the host watch the whole content root, the
        // working directory, recursively — where the data directory usually is, so every SQLite write woke a watcher.
        string[] hostArgs = [.. args ?? [], "--hostBuilder:reloadConfigOnChange=false"];
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = hostArgs, ContentRootPath = Directory.GetCurrentDirectory() });
        // Quiet framework defaults that appsettings.json and Logging__* variables can still override.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
            },
        });
        builder.Configuration.AddFundamentEnvironment();
        var values = new Dictionary<string, string?>();
        if (overrides.Http is not null)
        {
            values[$"{FundamentOptions.Section}:{nameof(FundamentOptions.Http)}"] = overrides.Http;
        }

        if (overrides.Dir is not null)
        {
            values[$"{FundamentOptions.Section}:{nameof(FundamentOptions.DataDirectory)}"] = overrides.Dir;
        }

        if (overrides.Db is not null)
        {
            values[$"{FundamentOptions.Section}:{nameof(FundamentOptions.Database)}"] = overrides.Db;
        }

        builder.Configuration.AddInMemoryCollection(values);
        string http = builder.Configuration[$"{FundamentOptions.Section}:{nameof(FundamentOptions.Http)}"] ?? FundamentOptions.DefaultHttp;
        builder.WebHost.UseUrls(http.Contains("://", StringComparison.Ordinal) ? http : "http://" + http);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            long? limit = builder.Configuration.GetValue<long?>($"{FundamentOptions.Section}:{nameof(FundamentOptions.MaxBodyBytes)}");
            kestrel.Limits.MaxRequestBodySize = limit ?? FundamentOptions.DefaultMaxBodyBytes;
            kestrel.AddServerHeader = false;
        });
        builder.AddFundament();
        var app = builder.Build();
        app.MapFundament();
        return app;
    }
}
