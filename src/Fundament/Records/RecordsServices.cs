using Fundament.Rules;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Fundament.Records;

public static class RecordsServices
{
    /// <summary>Registers access rules, the record services and the read cache, which every committed record change invalidates.</summary>
    public static IHostApplicationBuilder AddRecords(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(new FilterCache());
        builder.Services.AddSingleton<AccessRules>();
        builder.Services.AddSingleton<ReadCache>();
        builder.Services.AddSingleton<RecordServices>();
        builder.Services.AddRecordHooks((hooks, services) =>
        {
            var cache = services.GetRequiredService<ReadCache>();
            hooks.Written.Add((write, _) =>
            {
                write.Transaction.OnCommitted(cache.Invalidate);
                return ValueTask.CompletedTask;
            });
            hooks.Deleted.Add((deletion, _) =>
            {
                deletion.Transaction.OnCommitted(cache.Invalidate);
                return ValueTask.CompletedTask;
            });
        });
        return builder;
    }
}
