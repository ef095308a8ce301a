using Fundament.Observability;
using Microsoft.Extensions.Hosting;

namespace Fundament.Migrations;

/// <summary>
/// Brings the database up to date before the server takes traffic, then marks it ready. A failure
/// (for example an applied migration file that changed) stops start-up with the reason.
/// </summary>
public sealed class StartupMigrations(MigrationRunner runner, FundamentOptions options, Readiness readiness) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.MigrateOnStart)
        {
            var outcome = await runner.UpAsync(cancellationToken);
            if (!outcome.IsSuccess)
            {
                throw new InvalidOperationException(outcome.Error.Message);
            }
        }
        else
        {
            await runner.ReloadSchemaAsync(cancellationToken);
        }

        readiness.MarkReady();
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        readiness.MarkNotReady();
        return Task.CompletedTask;
    }
}
