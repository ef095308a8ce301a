using Fundament.Identity.Tokens;
using Fundament.Records;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Fundament.Identity;

public static class IdentityServicesSetup
{
    /// <summary>Registers superusers, signing keys, access and refresh tokens, and the first-run superuser.</summary>
    public static IHostApplicationBuilder AddIdentity(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(IdentityTables.Create);
        builder.Services.AddSingleton(sp => SigningKeyStore.Open(sp.GetRequiredService<FundamentOptions>().DataDirectory, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<FundamentOptions>();
            return new AccessTokenOptions
            {
                Issuer = options.TokenIssuer,
                Audience = options.TokenAudience,
                Lifetime = TimeSpan.FromMinutes(options.AccessTokenMinutes),
            };
        });
        builder.Services.AddSingleton<AccessTokens>();
        builder.Services.AddSingleton<SuperuserStore>();
        builder.Services.AddSingleton<Accounts>();
        builder.Services.AddSingleton<CallerCache>();
        builder.Services.AddSingleton(ApiKeyStore.Migration);
        builder.Services.AddSingleton<ApiKeyStore>();
        builder.Services.AddSingleton(AccountTokens.Migration);
        builder.Services.AddSingleton<AccountTokens>();
        builder.Services.AddSingleton<AccountServices>();

        builder.Services.AddSingleton<RefreshTokens>();
        builder.Services.AddSingleton<IdentityServices>();
        builder.Services.AddHostedService<SuperuserBootstrap>();
        builder.Services.AddRecordHooks((hooks, _) => AuthRecordHooks.Register(hooks));
        AuthRateLimits.AddAuthRateLimits(builder.Services);
        return builder;
    }
}
