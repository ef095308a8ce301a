using Fundament.Records;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Fundament.Realtime;

public static class RealtimeServices
{
    /// <summary>
    /// Registers realtime: options, the change log and its record hooks, the feed (with the PostgreSQL
    /// listener on PostgreSQL), the broker, tickets, heartbeats, log pruning and the <c>Fundament.Realtime</c> meter.
    /// </summary>
    public static IHostApplicationBuilder AddRealtime(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RealtimeOptions>().BindConfiguration(FundamentOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RealtimeOptions>, RealtimeOptionsValidator>();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<RealtimeOptions>>().Value);
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<RealtimeMetrics>();
        builder.Services.AddSingleton(RealtimeTables.Migration);
        builder.Services.AddSingleton(RealtimeTables.DropCreatedIndex);
        builder.Services.AddSingleton(RealtimeTables.OlderChangesMigration);
        builder.Services.AddSingleton<ChangeStore>();
        builder.Services.AddSingleton<Visibility>();
        builder.Services.AddSingleton<RealtimeBroker>();
        builder.Services.AddSingleton<RealtimeTickets>();
        builder.Services.AddSingleton<RealtimeHub>();
        builder.Services.AddSingleton<ChangeFeed>();
        builder.Services.AddSingleton<PostgresChangeNotifier>();
        builder.Services.AddSingleton<ChangeRecorder>();
        builder.Services.AddRecordHooks((hooks, services) => services.GetRequiredService<ChangeRecorder>().Register(hooks));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ChangeFeed>());
        builder.Services.AddHostedService<PostgresChangeListener>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PostgresChangeNotifier>());
        builder.Services.AddHostedService<RealtimeHeartbeat>();
        builder.Services.AddHostedService<ChangeLogCleanup>();
        return builder;
    }
}
