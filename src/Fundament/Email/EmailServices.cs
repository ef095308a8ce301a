using Fundament.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Fundament.Email;

public static class EmailServices
{
    /// <summary>
    /// Registers the email options (validated on start), the outbox table, and <see cref="IEmailSender"/> for the
    /// configured <see cref="EmailOptions.EmailProvider"/>.
    /// </summary>
    public static IHostApplicationBuilder AddEmail(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<EmailOptions>, EmailOptionsValidator>();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<EmailOptions>>().Value);
        builder.Services.AddSingleton(EmailOutbox.Migration);
        builder.Services.AddSingleton<EmailOutbox>();
        builder.Services.AddSingleton<IEmailSender>(sp => sp.GetRequiredService<EmailOptions>().EmailProvider switch
        {
            EmailProviderKind.Smtp => ActivatorUtilities.CreateInstance<SmtpEmailSender>(sp),
            EmailProviderKind.Http => ActivatorUtilities.CreateInstance<HttpApiEmailSender>(sp),
            _ => ActivatorUtilities.CreateInstance<OutboxEmailSender>(sp),
        });
        builder.Services.AddSingleton<IJobHandler, EmailJob>();
        return builder;
    }
}
