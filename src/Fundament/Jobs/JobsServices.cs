using Fundament.Jobs.Http;
using Fundament.Jobs.Schedules;
using Fundament.Observability;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Fundament.Jobs;

public static class JobsServices
{
    /// <summary>Registers the queue, its tables, options and, unless <see cref="JobsOptions.JobWorkers"/> is off, the worker.</summary>
    public static IHostApplicationBuilder AddJobs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<JobsOptions>().BindConfiguration(FundamentOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<JobsOptions>, JobsOptionsValidator>();
        builder.Services.AddSingleton<IValidateOptions<JobsOptions>, JobQueueConcurrencyValidator>();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<JobsOptions>>().Value);
        builder.Services.AddMetrics();
        builder.Services.AddSingleton(JobTables.Migration);
        builder.Services.AddSingleton<JobSignal>();
        builder.Services.AddSingleton<JobMetrics>();
        builder.Services.AddSingleton<PolledMetrics, JobQueueMetrics>();
        builder.Services.AddSingleton<JobStore>();
        builder.Services.AddSingleton<JobHandlers>();
        builder.Services.AddSingleton<JobWorker>();
        builder.Services.AddSingleton(JobSigningSecret.Migration);
        builder.Services.AddSingleton<JobSigningSecret>();
        builder.AddJobHandler<HttpJobHandler>();
        builder.Services.AddSingleton<ScheduleStore>();
        if (builder.Configuration.GetSection(FundamentOptions.Section).GetValue(nameof(JobsOptions.JobWorkers), true))
        {
            builder.Services.AddHostedService(sp => sp.GetRequiredService<JobWorker>());
            builder.Services.AddSingleton<IReadinessCheck, JobWorkerReadiness>();
            builder.Services.AddHostedService<Scheduler>();
        }

        return builder;
    }

    /// <summary>Registers a C# handler for jobs of <paramref name="type"/>.</summary>
    /// <example><code>builder.AddJobHandler("thumbnails.make", async (job, ct) =>
    /// {
    ///     string path = job.Payload.GetProperty("path").GetString()!;
    ///     await thumbnails.MakeAsync(path, ct);
    /// });</code></example>
    public static IHostApplicationBuilder AddJobHandler(this IHostApplicationBuilder builder, string type, Func<JobContext, CancellationToken, Task> run)
    {
        builder.Services.AddSingleton<IJobHandler>(new DelegateJobHandler(type, run));
        return builder;
    }

    /// <summary>Registers a handler class (for handlers that validate payloads or need services).</summary>
    public static IHostApplicationBuilder AddJobHandler<THandler>(this IHostApplicationBuilder builder) where THandler : class, IJobHandler
    {
        builder.Services.AddSingleton<IJobHandler, THandler>();
        return builder;
    }
}
