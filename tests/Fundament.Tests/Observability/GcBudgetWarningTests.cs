using Fundament.Observability;

namespace Fundament.Tests.Observability;

public sealed class GcBudgetWarningTests : IDisposable
{
    private readonly string _cpus = Directory.CreateTempSubdirectory("fundament-cpus-").FullName;

    public void Dispose() => Directory.Delete(_cpus, recursive: true);

    private static string? NoVariables(string name) => null;

    [Fact]
    public void Warns_when_the_machine_shows_no_cache_sizes_and_no_budget_is_set()
    {
        Directory.CreateDirectory(Path.Combine(_cpus, "cpu0"));

        Assert.True(GcBudgetWarning.ShouldWarn(_cpus, NoVariables));
    }

    [Theory]
    [InlineData("index3")]
    [InlineData("index2")]
    public void Stays_quiet_when_the_caches_are_visible(string level)
    {
        string cache = Directory.CreateDirectory(Path.Combine(_cpus, "cpu0", "cache", level)).FullName;
        File.WriteAllText(Path.Combine(cache, "size"), "32768K\n");

        Assert.False(GcBudgetWarning.ShouldWarn(_cpus, NoVariables));
    }

    [Theory]
    [InlineData("DOTNET_GCgen0size")]
    [InlineData("COMPlus_GCgen0size")]
    public void Stays_quiet_when_a_budget_is_set(string variable)
    {
        Directory.CreateDirectory(Path.Combine(_cpus, "cpu0"));

        Assert.False(GcBudgetWarning.ShouldWarn(_cpus, name => name == variable ? "0x2000000" : null));
    }

    [Fact]
    public void Stays_quiet_where_there_is_no_cpu_directory_to_judge_by() =>
        Assert.False(GcBudgetWarning.ShouldWarn(Path.Combine(_cpus, "missing"), NoVariables));
}
