using Fundament.Email;

namespace Fundament.Tests.Email;

public sealed class EmailTemplatesTests
{
    private static readonly AccountEmailModel Model = new("Acme", "tok_ABC-123_xyz", TimeSpan.FromDays(1));

    [Fact]
    public void Verification_names_the_app_the_token_and_when_it_expires()
    {
        var message = EmailTemplates.VerifyEmail("ada@example.com", Model);
        Assert.Equal("ada@example.com", message.To);
        Assert.Equal("Confirm your email address for Acme", message.Subject);
        Assert.Contains("\n\ntok_ABC-123_xyz\n\n", message.Text, StringComparison.Ordinal);
        Assert.Contains("POST /api/auth/confirm-email", message.Text, StringComparison.Ordinal);
        Assert.EndsWith("It expires in 24 hours.", message.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Reset_names_the_app_the_token_and_when_it_expires()
    {
        var message = EmailTemplates.ResetPassword("ada@example.com", Model with { ExpiresIn = TimeSpan.FromHours(1) });
        Assert.Equal("Reset your Acme password", message.Subject);
        Assert.Contains("\n\ntok_ABC-123_xyz\n\n", message.Text, StringComparison.Ordinal);
        Assert.Contains("POST /api/auth/confirm-password-reset", message.Text, StringComparison.Ordinal);
        Assert.Contains("It expires in 1 hour. If it was not you, ignore this email.", message.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(60, "1 hour")]
    [InlineData(24 * 60, "24 hours")]
    [InlineData(48 * 60, "48 hours")]
    [InlineData(72 * 60, "3 days")]
    [InlineData(90, "90 minutes")]
    [InlineData(1, "1 minute")]
    [InlineData(30, "30 minutes")]
    public void Durations_read_naturally(int minutes, string text) =>
        Assert.Equal(text, EmailTemplates.Duration(TimeSpan.FromMinutes(minutes)));
}
