using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Fundament.Outbound;

public static class OutboundServices
{
    /// <summary>
    /// Registers <see cref="OutboundHttp"/> as a singleton: one connection pool for every feature that calls out,
    /// with the address policy of <see cref="FundamentOptions.AllowPrivateTargets"/>.
    /// </summary>
    public static IHostApplicationBuilder AddOutbound(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(services => new OutboundHttp(services.GetRequiredService<IOptions<FundamentOptions>>().Value));
        return builder;
    }
}
