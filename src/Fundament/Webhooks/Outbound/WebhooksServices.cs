using Fundament.Jobs;
using Fundament.Records;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Fundament.Webhooks.Outbound;

public static class WebhooksServices
{
    /// <summary>
    /// Registers outbound webhooks: tables, options, the subscription cache, the record hooks that
    /// dispatch events, the <c>webhook.deliver</c> job handler and the delivery-log cleanup.
    /// Needs <c>AddOutbound()</c> and <c>AddJobs()</c> first.
    /// </summary>
    public static IHostApplicationBuilder AddWebhooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhooksOptions>().BindConfiguration(FundamentOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<WebhooksOptions>, WebhooksOptionsValidator>();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<WebhooksOptions>>().Value);
        builder.Services.AddSingleton(WebhookTables.Migration);
        builder.Services.AddSingleton<WebhookSubscriptions>();
        builder.Services.AddSingleton<WebhookStore>();
        builder.Services.AddSingleton<WebhookDispatcher>();
        builder.Services.AddRecordHooks((hooks, services) => services.GetRequiredService<WebhookDispatcher>().Register(hooks));
        builder.AddJobHandler<WebhookDeliveryHandler>();
        builder.Services.AddHostedService<WebhookDeliveryCleanup>();
        return builder;
    }
}
