using Fundament.Server;

namespace Fundament.Tests.Server;

/// <summary>Runs <c>fundament</c> commands in process with the console captured (tests using it join <see cref="ConsoleCollection"/>).</summary>
public static class CliRunner
{
    /// <summary>Runs a command against <paramref name="dir"/> (added as <c>--dir</c> unless asking for help).</summary>
    public static Task<(int Exit, string Output)> RunAsync(string dir, params string[] args) =>
        RunCoreAsync([.. args, .. args.Length > 0 && args[^1] != "--help" && args[0] != "--help" ? new[] { "--dir", dir } : []]);

    /// <summary>Runs a command that takes no data directory, such as <c>status</c>, which talks to a running server.</summary>
    public static Task<(int Exit, string Output)> RunWithoutDataDirectoryAsync(params string[] args) => RunCoreAsync(args);

    private static async Task<(int Exit, string Output)> RunCoreAsync(string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var (previousOut, previousError) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            int exit = await Cli.Build().Parse(args).InvokeAsync();
            return (exit, output.ToString() + error);
        }
        finally
        {
            Console.SetOut(previousOut);
            Console.SetError(previousError);
        }
    }
}
