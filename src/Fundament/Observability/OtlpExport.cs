using Fundament.Toolkit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Fundament.Observability;

/// <summary>
/// Pushes metrics and traces to an OpenTelemetry collector over OTLP when an endpoint is configured
/// (<see cref="ObservabilityOptions.OtlpEndpoint"/> or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>). The SDK providers are
/// built here rather than through OpenTelemetry.Extensions.Hosting, and flushed and disposed on shutdown.
/// Other <c>OTEL_*</c> variables (headers, service name, resource attributes) apply as the SDK defines them.
/// </summary>
public sealed class OtlpExport(ObservabilityOptions options, IConfiguration configuration) : IHostedService, IDisposable
{
    public const string StandardEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string StandardProtocolVariable = "OTEL_EXPORTER_OTLP_PROTOCOL";
    public const string ServiceName = "fundament";

    private static readonly int FlushTimeoutMilliseconds = 5000;

    private MeterProvider? _meters;
    private TracerProvider? _traces;

    /// <summary>The collector this process exports to, or null when OTLP export is off.</summary>
    public Uri? Endpoint { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        string? endpoint = options.OtlpEndpoint is { Length: > 0 } own ? own : configuration[StandardEndpointVariable];
        if (string.IsNullOrWhiteSpace(endpoint) || !Uri.TryCreate(endpoint, UriKind.Absolute, out var baseUri))
        {
            return Task.CompletedTask;
        }

        Endpoint = baseUri;
        var protocol = (options.OtlpProtocol ?? configuration[StandardProtocolVariable]) == ObservabilityOptions.ProtocolGrpc
            ? OtlpExportProtocol.Grpc
            : OtlpExportProtocol.HttpProtobuf;
        var resource = ResourceBuilder.CreateEmpty()
            .AddService(ServiceName, serviceVersion: HealthEndpoints.Version, serviceInstanceId: $"{Environment.MachineName}/{Environment.ProcessId}")
            .AddTelemetrySdk()
            // Last, so OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override the defaults above.
            .AddEnvironmentVariableDetector();

        _meters = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter("Fundament", "Fundament.*")
            .AddMeter(MeterSelection.FrameworkMeters)
            .AddOtlpExporter((exporter, reader) =>
            {
                Configure(exporter, baseUri, protocol, "v1/metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = options.OtlpIntervalSeconds * 1000;
            })
            .Build();
        _traces = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(Tracing.SourceName, "Microsoft.AspNetCore", "System.Net.Http", "Npgsql")
            .AddOtlpExporter(exporter => Configure(exporter, baseUri, protocol, "v1/traces"))
            .Build();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        // Spans of the jobs that finished during shutdown, and the last metric figures.
        _traces?.ForceFlush(FlushTimeoutMilliseconds);
        _meters?.ForceFlush(FlushTimeoutMilliseconds);
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _traces?.Dispose();
        _meters?.Dispose();
    }

    private static void Configure(OtlpExporterOptions exporter, Uri baseUri, OtlpExportProtocol protocol, string signalPath)
    {
        exporter.Protocol = protocol;
        // Set in code, the endpoint is used as given; OTLP/HTTP wants the signal's path on the collector's base URL.
        exporter.Endpoint = protocol == OtlpExportProtocol.Grpc
            ? baseUri
            : new Uri(baseUri.AbsoluteUri.TrimEnd('/') + "/" + signalPath);
    }
}
