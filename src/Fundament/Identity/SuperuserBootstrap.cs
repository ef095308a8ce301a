using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fundament.Identity;

/// <summary>
/// First run: when no superuser exists and <c>FUNDAMENT_SUPERUSER_EMAIL</c> and
/// <c>FUNDAMENT_SUPERUSER_PASSWORD</c> are set, creates that superuser. Runs after migrations.
/// Without them, <c>fundament superuser create</c> makes one.
/// </summary>
public sealed partial class SuperuserBootstrap(SuperuserStore superusers, FundamentOptions options, ILogger<SuperuserBootstrap> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await superusers.CountAsync(cancellationToken) > 0)
        {
            return;
        }

        if (options.SuperuserEmail is not { Length: > 0 } email || options.SuperuserPassword is not { Length: > 0 } password)
        {
            LogNoSuperuser(logger);
            return;
        }

        var created = await superusers.CreateAsync(email, password, cancellationToken);
        if (!created.IsSuccess)
        {
            throw new InvalidOperationException("FUNDAMENT_SUPERUSER_EMAIL/PASSWORD: " + created.Error.Message + " " +
                string.Join("; ", (created.Error.Details ?? []).Select(d => $"{d.Field} {d.Message}")));
        }

        LogCreated(logger, created.Value.Email);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the first superuser {Email} from configuration")]
    private static partial void LogCreated(ILogger logger, string email);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No superuser exists yet: run `fundament superuser create EMAIL --password PW` or set FUNDAMENT_SUPERUSER_EMAIL and FUNDAMENT_SUPERUSER_PASSWORD")]
    private static partial void LogNoSuperuser(ILogger logger);
}
