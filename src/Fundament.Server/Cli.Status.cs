using System.CommandLine;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Fundament.Server;

internal static partial class Cli
{
    public const string StatusKeyVariable = "FUNDAMENT_STATUS_KEY";
    public const string MetricsTokenVariable = "FUNDAMENT_METRICS_TOKEN";

    private static Command StatusCommand()
    {
        var url = new Option<string?>("--url") { Description = "The running server (default http://127.0.0.1:8090, or the address in FUNDAMENT_HTTP)" };
        var token = new Option<string?>("--token") { Description = $"The metrics token, for a server on another machine (env {MetricsTokenVariable})" };
        var key = new Option<string?>("--key") { Description = $"A superuser access token or API key with the jobs scope, to add the last hour's job attempts (env {StatusKeyVariable})" };
        var command = new Command("status", "Print a one-screen summary of a running server: version, uptime, database, readiness, requests, latency and jobs. Exits 1 when it is not ready.")
        {
            url, token, key,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (!Uri.TryCreate(parse.GetValue(url) ?? DefaultStatusUrl(), UriKind.Absolute, out var target))
            {
                return Report(null, Http.ApiError.BadRequest("--url must be an absolute URL such as http://127.0.0.1:8090"));
            }

            using var client = new HttpClient { BaseAddress = target, Timeout = TimeSpan.FromSeconds(10) };
            ServerSnapshot snapshot;
            try
            {
                snapshot = await ServerSnapshot.FetchAsync(client, parse.GetValue(token) ?? Environment.GetEnvironmentVariable(MetricsTokenVariable),
                    parse.GetValue(key) ?? Environment.GetEnvironmentVariable(StatusKeyVariable), ct);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
            {
                return Report(null, Http.ApiError.Unavailable($"cannot reach a Fundament server at {target}: {ex.Message}"));
            }

            StatusScreen.Write(Console.Out, target, snapshot);
            return snapshot.Ready ? 0 : 1;
        });
        return command;
    }

    /// <summary>Where <c>fundament serve</c> listens by the same configuration, with wildcard hosts read as this machine.</summary>
    private static string DefaultStatusUrl()
    {
        string http = Environment.GetEnvironmentVariable("FUNDAMENT_HTTP") is { Length: > 0 } configured ? configured : FundamentOptions.DefaultHttp;
        if (!http.Contains("://", StringComparison.Ordinal))
        {
            http = "http://" + http;
        }

        return http.Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal).Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://*", "://127.0.0.1", StringComparison.Ordinal).Replace("://+", "://127.0.0.1", StringComparison.Ordinal);
    }
}

/// <summary>What <c>fundament status</c> read from a running server; parts it could not read carry the reason instead.</summary>
internal sealed record ServerSnapshot(
    JsonElement Health,
    bool Ready,
    JsonElement ReadyBody,
    List<PrometheusSample>? Metrics,
    string? MetricsProblem,
    JsonElement? JobStats,
    string? JobsProblem)
{
    public static async Task<ServerSnapshot> FetchAsync(HttpClient client, string? metricsToken, string? key, CancellationToken cancellationToken)
    {
        var (_, health) = await GetJsonAsync(client, "/api/health", null, cancellationToken);
        var (readyStatus, ready) = await GetJsonAsync(client, "/api/health/ready", null, cancellationToken);

        List<PrometheusSample>? metrics = null;
        string? metricsProblem = null;
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/metrics"))
        {
            if (metricsToken is { Length: > 0 })
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", metricsToken);
            }

            using var response = await client.SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                metrics = PrometheusSamples.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            }
            else
            {
                metricsProblem = $"{(int)response.StatusCode}: {await ErrorMessageAsync(response, cancellationToken)}";
            }
        }

        JsonElement? jobs = null;
        string? jobsProblem = null;
        if (key is { Length: > 0 })
        {
            var (status, body) = await GetJsonAsync(client, "/api/jobs/stats", key, cancellationToken);
            if (status == 200)
            {
                jobs = body.GetProperty("data");
            }
            else
            {
                jobsProblem = $"{status}: {ErrorMessage(body)}";
            }
        }

        return new ServerSnapshot(health.TryGetProperty("data", out var data) ? data : health, readyStatus == 200, ready, metrics, metricsProblem, jobs, jobsProblem);
    }

    private static async Task<(int Status, JsonElement Body)> GetJsonAsync(HttpClient client, string path, string? bearer, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        using var response = await client.SendAsync(request, cancellationToken);
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        using var document = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        return ((int)response.StatusCode, document.RootElement.Clone());
    }

    private static async Task<string> ErrorMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return ErrorMessage(document.RootElement);
        }
        catch (JsonException)
        {
            return response.ReasonPhrase ?? "failed";
        }
    }

    public static string ErrorMessage(JsonElement body) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty("error", out var error) && error.TryGetProperty("message", out var message)
            ? message.GetString() ?? "failed"
            : "failed";
}
