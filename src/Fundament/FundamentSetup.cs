using Fundament.Collections;
using Fundament.Data;
using Fundament.Email;
using Fundament.Http;
using Fundament.Http.RateLimiting;
using Fundament.Identity;
using Fundament.Jobs;
using Fundament.Jobs.Schedules;
using Fundament.Migrations;
using Fundament.Observability;
using Fundament.OpenApi;
using Fundament.Outbound;
using Fundament.Realtime;
using Fundament.Records;
using Fundament.Webhooks.Inbound;
using Fundament.Webhooks.Outbound;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Fundament;

/// <summary>The table of contents: every feature's services and routes, in dependency order.</summary>
public static class FundamentSetup
{
    /// <summary>Adds Fundament's services to an ASP.NET Core application.</summary>
    /// <example><code>var builder = WebApplication.CreateBuilder(args);
    /// builder.AddFundament();
    /// var app = builder.Build();
    /// app.MapFundament();
    /// app.Run();</code></example>
    public static IHostApplicationBuilder AddFundament(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<FundamentOptions>().BindConfiguration(FundamentOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<FundamentOptions>, FundamentOptionsValidator>();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<FundamentOptions>>().Value);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddFundamentCors();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, AppJsonContext.Default));
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(30));

        builder.AddData();
        builder.AddObservability();
        builder.Services.AddSingleton<SchemaRegistry>();
        builder.Services.AddSingleton(DefaultCollections.CreateUsers);
        builder.Services.AddSingleton<MigrationRunner>();
        builder.Services.AddSingleton<SchemaChanges>();
        builder.Services.AddHostedService<StartupMigrations>();
        builder.AddRecords();
        builder.AddEmail();
        builder.AddIdentity();
        builder.AddOutbound();
        builder.AddJobs();
        builder.AddWebhooks();
        builder.AddInboundHooks();
        builder.AddRealtime();
        builder.Services.AddHostedService<IdempotencyCleanup>();
        builder.AddRateLimits();
        return builder;
    }

    /// <summary>Adds Fundament's middleware and routes.</summary>
    public static WebApplication MapFundament(this WebApplication app)
    {
        app.Use(RequestIds.Middleware);
        app.UseDurableReads();
        app.UseObservability();
        app.UseFundamentErrors();
        app.UseSecurityHeaders();
        app.UseCors(SecurityHeaders.CorsPolicy);
        app.UseMiddleware<Authentication>();
        app.UseRateLimits();
        app.UseMiddleware<Idempotency>();
        app.MapFundamentRoutes();
        return app;
    }

    public static IEndpointRouteBuilder MapFundamentRoutes(this IEndpointRouteBuilder app)
    {
        app.MapObservability();
        app.MapAuth();
        app.MapKeys();
        app.MapAccount();
        app.MapCollections();
        app.MapRecords();
        app.MapJobs();
        app.MapSchedules();
        app.MapWebhooks();
        app.MapInboundHooks();
        app.MapRealtime();
        app.MapOpenApiDocs();
        return app;
    }
}
