using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Fundament.Data;

/// <summary>
/// Holds every response until the writes its reads could have seen are durable (<see cref="Database.WhenReadsDurable"/>).
/// Handlers read before they write a response, so waiting when it starts covers them all; the wait is at most one
/// WAL sync, and none while no sync runs.
/// </summary>
public static class DurableReads
{
    public static IApplicationBuilder UseDurableReads(this IApplicationBuilder app)
    {
        var database = app.ApplicationServices.GetRequiredService<Database>();
        if (!database.ShowsWritesBeforeDurable)
        {
            return app;
        }

        return app.Use((context, next) =>
        {
            context.Response.OnStarting(static state => ((Database)state).WhenReadsDurable(), database);
            return next(context);
        });
    }
}
