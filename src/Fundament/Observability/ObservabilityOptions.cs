using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Fundament.Observability;

/// <summary>Metrics, tracing and log settings; bound from the <c>Fundament</c> section (<c>FUNDAMENT_METRICS_*</c>, <c>FUNDAMENT_OTLP_*</c>, <c>FUNDAMENT_LOG_FORMAT</c>).</summary>
public sealed class ObservabilityOptions
{
    public const string LogFormatJson = "json";
    public const string LogFormatText = "text";
    public const string ProtocolHttpProtobuf = "http/protobuf";
    public const string ProtocolGrpc = "grpc";
    public const int DefaultOtlpIntervalSeconds = 15;
    public const int MinimumMetricsTokenLength = 16;

    /// <summary>
    /// The bearer token that opens <c>GET /metrics</c> to callers that are not on loopback (<c>FUNDAMENT_METRICS_TOKEN</c>);
    /// Prometheus sends it with <c>authorization: {credentials: …}</c>. At least 16 characters.
    /// </summary>
    [MinLength(MinimumMetricsTokenLength)]
    public string? MetricsToken { get; set; }

    /// <summary>Serve <c>GET /metrics</c> to anyone (<c>FUNDAMENT_METRICS_PUBLIC=true</c>), for networks where the port is private anyway.</summary>
    public bool MetricsPublic { get; set; }

    /// <summary>
    /// The OTLP collector's base URL (<c>FUNDAMENT_OTLP_ENDPOINT</c>, e.g. <c>http://collector:4318</c>); metrics and traces
    /// are exported there when it, or the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, is set.
    /// </summary>
    [Url]
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>http/protobuf</c> (default; the path <c>/v1/metrics</c> or <c>/v1/traces</c> is appended) or <c>grpc</c> (<c>FUNDAMENT_OTLP_PROTOCOL</c>).</summary>
    [RegularExpression("^(http/protobuf|grpc)$")]
    public string? OtlpProtocol { get; set; }

    /// <summary>How often metrics are pushed to the collector (<c>FUNDAMENT_OTLP_INTERVAL_SECONDS</c>).</summary>
    [Range(1, 3600)]
    public int OtlpIntervalSeconds { get; set; } = DefaultOtlpIntervalSeconds;

    /// <summary><c>json</c> (one JSON object per line, with scopes) or <c>text</c>; the default is text in Development, JSON elsewhere (<c>FUNDAMENT_LOG_FORMAT</c>).</summary>
    [RegularExpression("^(json|text)$")]
    public string? LogFormat { get; set; }
}

[OptionsValidator]
public sealed partial class ObservabilityOptionsValidator : IValidateOptions<ObservabilityOptions>;
