using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Fundament.Webhooks.Inbound;

public static class InboundHooksServices
{
    /// <summary>
    /// Registers inbound hooks: their tables, store, receiver and metrics, and <see cref="SenderHeadersFilter"/>,
    /// which keeps a sender's unrelated credentials and idempotency keys from reaching the pipeline.
    /// </summary>
    public static IHostApplicationBuilder AddInboundHooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMetrics();
        builder.Services.AddSingleton(InboundHookTables.Migration);
        builder.Services.AddSingleton<InboundHookStore>();
        builder.Services.AddSingleton<InboundHookMetrics>();
        builder.Services.AddSingleton<InboundHookReceiver>();
        builder.Services.AddTransient<IStartupFilter, SenderHeadersFilter>();
        return builder;
    }
}
