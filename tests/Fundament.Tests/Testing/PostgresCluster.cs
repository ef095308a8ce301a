using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Fundament.Tests.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster started once per test run from the installed Debian binaries,
/// on a free loopback port, with fsync off. Each test gets its own database in it. When no binaries
/// exist the PostgreSQL tests skip loudly — except under CI, where they fail.
/// </summary>
public static class PostgresCluster
{
    private static readonly Lazy<Task<string?>> Started = new(StartAsync);
    private static string? _unavailableReason;
    private static int _databases;

    /// <summary>Creates an empty database and returns its connection string; skips or fails when PostgreSQL is missing.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        string? admin = await Started.Value;
        if (admin is null)
        {
            string message = "PostgreSQL tests need the PostgreSQL server binaries (apt-get install postgresql): " + _unavailableReason;
            if (Environment.GetEnvironmentVariable("CI") is "true" or "1")
            {
                Assert.Fail(message);
            }

            Assert.Skip(message);
        }

        string name = $"t{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = true, MaxPoolSize = 10 }.ConnectionString;
    }

    private static async Task<string?> StartAsync()
    {
        string? bin = FindBinaries();
        if (bin is null)
        {
            _unavailableReason = "no initdb found under /usr/lib/postgresql/*/bin";
            Console.Error.WriteLine("WARNING: " + _unavailableReason + "; PostgreSQL tests are skipped.");
            return null;
        }

        string dir = Path.Combine(Path.GetTempPath(), $"fundament-pg-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        bool root = Environment.UserName == "root";
        if (root)
        {
            await RunAsync("chown", $"postgres:postgres {dir}");
        }

        int port = FreePort();
        await RunAsync(bin + "/initdb", $"-D {dir}/data -U postgres -A trust --no-sync -E UTF8", root);
        await RunAsync(bin + "/pg_ctl",
            $"-D {dir}/data -l {dir}/log -w -t 60 -o \"-p {port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300\" start", root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                RunAsync(bin + "/pg_ctl", $"-D {dir}/data -m immediate stop", root).GetAwaiter().GetResult();
                Directory.Delete(dir, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                // Best effort: the temp directory is removed by the OS eventually.
            }
        };
        return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false";
    }

    private static string? FindBinaries()
    {
        if (!Directory.Exists("/usr/lib/postgresql"))
        {
            return null;
        }

        return Directory.GetDirectories("/usr/lib/postgresql")
            .Select(version => Path.Combine(version, "bin"))
            .Where(bin => File.Exists(Path.Combine(bin, "initdb")))
            .OrderDescending()
            .FirstOrDefault();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, string arguments, bool asPostgres = false)
    {
        var start = asPostgres
            ? new ProcessStartInfo("runuser", $"-u postgres -- {file} {arguments}")
            : new ProcessStartInfo(file, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = Path.GetTempPath();
        using var process = Process.Start(start)!;
        string output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {output}");
        }
    }
}
