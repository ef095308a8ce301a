using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Fundament.Email;

public static class EmailServices
{
    /// <summary>Registers the email outbox (SMTP and HTTP providers come with background jobs).</summary>
    public static IHostApplicationBuilder AddEmail(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(EmailOutbox.Migration);
        builder.Services.AddSingleton<EmailOutbox>();
        return builder;
    }
}
