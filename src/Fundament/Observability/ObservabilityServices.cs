using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Fundament.Observability;

public static class ObservabilityServices
{
    /// <summary>
    /// Registers readiness checks, the Prometheus exporter, OTLP export (when configured) and the console log format:
    /// JSON lines with scopes unless <see cref="ObservabilityOptions.LogFormat"/> or the Development environment says text.
    /// </summary>
    public static IHostApplicationBuilder AddObservability(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ObservabilityOptions>().BindConfiguration(FundamentOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ObservabilityOptions>, ObservabilityOptionsValidator>();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<ObservabilityOptions>>().Value);
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<Readiness>();
        builder.Services.AddSingleton<ReadinessProbe>();
        builder.Services.AddSingleton<IReadinessCheck, DatabaseReadiness>();
        builder.Services.AddSingleton<IReadinessCheck, MigrationsReadiness>();
        builder.Services.AddSingleton<PrometheusExporter>();
        // Before the other hosted services, so start-up work is measured and traced too.
        builder.Services.AddHostedService<TelemetryStartup>();
        builder.Services.AddSingleton<OtlpExport>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OtlpExport>());
        builder.Services.AddHostedService<GcBudgetWarning>();
        ConfigureConsoleLogs(builder);
        return builder;
    }

    /// <summary>Adds the request log line, and serves <c>/metrics</c> before user authentication sees its bearer token.</summary>
    public static WebApplication UseObservability(this WebApplication app)
    {
        app.UseMiddleware<RequestLogging>();
        app.Use(static (context, next) =>
            context.GetEndpoint() is { RequestDelegate: { } scrape } endpoint && endpoint.Metadata.GetMetadata<MetricsEndpoint.Marker>() is not null
                ? scrape(context)
                : next(context));
        return app;
    }

    /// <summary>Maps <c>/api/health</c>, <c>/api/health/ready</c> and <c>/metrics</c>.</summary>
    public static IEndpointRouteBuilder MapObservability(this IEndpointRouteBuilder app)
    {
        app.MapHealth();
        app.MapGet(MetricsEndpoint.Path, MetricsEndpoint.Scrape).WithName("Metrics").WithTags("Operations").WithMetadata(new MetricsEndpoint.Marker());
        return app;
    }

    private static void ConfigureConsoleLogs(IHostApplicationBuilder builder)
    {
        string? format = builder.Configuration.GetSection(FundamentOptions.Section)[nameof(ObservabilityOptions.LogFormat)];
        // An explicit Logging:Console:FormatterName in appsettings wins over the default, not over FUNDAMENT_LOG_FORMAT.
        if (format is not null || builder.Configuration["Logging:Console:FormatterName"] is not { Length: > 0 })
        {
            bool json = format is null ? !builder.Environment.IsDevelopment() : format.Equals(ObservabilityOptions.LogFormatJson, StringComparison.OrdinalIgnoreCase);
            builder.Services.Configure<ConsoleLoggerOptions>(console => console.FormatterName = json ? ConsoleFormatterNames.Json : ConsoleFormatterNames.Simple);
        }

        builder.Services.Configure<JsonConsoleFormatterOptions>(json =>
        {
            json.IncludeScopes = true;
            json.UseUtcTimestamp = true;
            json.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
        });
        builder.Services.Configure<SimpleConsoleFormatterOptions>(text =>
        {
            text.SingleLine = true;
            text.TimestampFormat = "HH:mm:ss ";
        });
        // ASP.NET Core's own request lines would repeat ours, and its log scope carries the connection-based
        // request id, not the X-Request-Id one; TelemetryStartup keeps the request activity (and its trace id).
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        UseBatchedConsole(builder.Services);
    }

    // The same formatters and Logging:Console settings, one write per batch of lines instead of one per line; only
    // where the host logs to the console at all (a host that cleared its providers stays silent).
    private static void UseBatchedConsole(IServiceCollection services)
    {
        var console = services.Where(d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType == typeof(ConsoleLoggerProvider)).ToList();
        if (console.Count == 0)
        {
            return;
        }

        foreach (var descriptor in console)
        {
            services.Remove(descriptor);
        }

        services.AddSingleton<ILoggerProvider, BatchedConsoleLoggerProvider>();
    }
}

/// <summary>
/// Starts the Prometheus exporter with the host, and makes ASP.NET Core create an activity for every request even
/// without a tracer, so each log line carries a trace id and incoming <c>traceparent</c> headers are honoured.
/// </summary>
internal sealed class TelemetryStartup(PrometheusExporter exporter) : IHostedService, IDisposable
{
    private readonly ActivityListener _requests = new()
    {
        ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
        Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
    };

    /// <summary>Taken here so the exporter listens from start-up on, not from the first scrape.</summary>
    public PrometheusExporter Exporter { get; } = exporter;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        ActivitySource.AddActivityListener(_requests);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _requests.Dispose();
}
