using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Fundament.Email;

public static class EmailServices
{
    /// <summary>The key of the <see cref="HttpClient"/> the email API sender uses.</summary>
    public const string ApiClient = "email-api";

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
        builder.Services.AddKeyedSingleton(ApiClient, (_, _) => CreateApiClient());
        builder.Services.AddSingleton<IEmailSender>(sp => sp.GetRequiredService<EmailOptions>().EmailProvider switch
        {
            EmailProviderKind.Smtp => ActivatorUtilities.CreateInstance<SmtpEmailSender>(sp),
            EmailProviderKind.Http => ActivatorUtilities.CreateInstance<HttpApiEmailSender>(sp, sp.GetRequiredKeyedService<HttpClient>(ApiClient)),
            _ => ActivatorUtilities.CreateInstance<OutboxEmailSender>(sp),
        });
        return builder;
    }

    /// <summary>
    /// The one place the email API's client is built. Redirects are not followed: a POST carrying a bearer key
    /// has no business being sent on somewhere else. Pooled connections are recycled so DNS changes are seen,
    /// and an answer is at most 1 MB, since only a small JSON object is expected.
    /// </summary>
    private static HttpClient CreateApiClient() =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            MaxResponseContentBufferSize = 1024 * 1024,
        };
}
