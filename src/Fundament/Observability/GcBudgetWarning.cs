using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fundament.Observability;

/// <summary>
/// Warns once at start-up when .NET cannot see the CPU caches and no gen0 budget was given. .NET sizes its
/// youngest generation from the L3 cache; a virtual machine that hides the cache sizes (no
/// <c>/sys/devices/system/cpu/cpu0/cache</c>) leaves it at its floor of a few hundred KB, and the server then
/// collects 30–40 times a second under load: 3–7% of the time paused and every collection a gen1.
/// <c>DOTNET_GCgen0size=0x2000000</c> (32 MB) brings that to a few a second. The runtime reads it only from
/// the environment, before any managed code runs, so Fundament can say so but not set it.
/// </summary>
internal sealed partial class GcBudgetWarning(ILogger<GcBudgetWarning> logger) : IHostedService
{
    public const string Variable = "DOTNET_GCgen0size";
    public const string Recommended = "0x2000000";
    internal const string CpuDirectory = "/sys/devices/system/cpu";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsLinux() && ShouldWarn(CpuDirectory, Environment.GetEnvironmentVariable))
        {
            LogHiddenCaches(Variable, Recommended);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>True when the CPU directory shows no cache sizes and neither spelling of the variable is set.</summary>
    internal static bool ShouldWarn(string cpuDirectory, Func<string, string?> environment) =>
        string.IsNullOrEmpty(environment(Variable))
        && string.IsNullOrEmpty(environment("COMPlus_GCgen0size"))
        && Directory.Exists(cpuDirectory)
        && !File.Exists(Path.Combine(cpuDirectory, "cpu0", "cache", "index3", "size"))
        && !File.Exists(Path.Combine(cpuDirectory, "cpu0", "cache", "index2", "size"));

    [LoggerMessage(Level = LogLevel.Warning, Message = "This machine hides its CPU cache sizes, so .NET collects garbage every few hundred KB of allocation; set {Variable}={Value} in the server's environment for fewer, cheaper collections")]
    private partial void LogHiddenCaches(string variable, string value);
}
