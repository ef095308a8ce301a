using Fundament.Webhooks;

namespace Fundament.Tests.Webhooks;

public sealed class WebhookSecretTests
{
    [Fact]
    public void A_created_secret_is_whsec_and_base64_of_32_random_bytes()
    {
        var secret = WebhookSecret.Create();

        Assert.StartsWith("whsec_", secret.Text, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(secret.Text["whsec_".Length..]).Length);
        Assert.Equal(32, secret.Key.Length);
        Assert.NotEqual(secret.Text, WebhookSecret.Create().Text);
    }

    [Fact]
    public void A_created_secret_parses_back_to_the_same_key()
    {
        var secret = WebhookSecret.Create();

        Assert.True(WebhookSecret.TryParse(secret.Text, out var parsed));
        Assert.Equal(secret.Text, parsed.Text);
        Assert.True(secret.Key.SequenceEqual(parsed.Key));
    }

    [Fact]
    public void The_spec_test_vector_secret_parses_to_24_bytes()
    {
        var secret = WebhookSecret.Parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

        Assert.Equal(24, secret.Key.Length);
    }

    [Fact]
    public void ToString_never_shows_the_key()
    {
        var secret = WebhookSecret.Create();

        Assert.Equal("whsec_…", secret.ToString());
        Assert.DoesNotContain(secret.Text["whsec_".Length..], $"{secret}", StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("whsec_")]
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")] // no prefix
    [InlineData("WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    [InlineData("whsec_ MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    [InlineData("whsec_MfKQ9r8GKYqrTwjU PD8ILPZIo2LaLaSw")]
    [InlineData("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n")]
    [InlineData("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa-_")] // URL-safe alphabet
    [InlineData("whsec_!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!")]
    [InlineData("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS")] // not a whole number of base64 quanta
    [InlineData("whsec_AAECAwQFBgcICQoLDA0ODw==")] // 16 bytes: below the spec's 24
    public void A_malformed_or_short_secret_does_not_parse(string? text)
    {
        Assert.False(WebhookSecret.TryParse(text, out var secret));
        Assert.Null(secret);
    }

    [Fact]
    public void A_key_above_64_bytes_does_not_parse()
    {
        Assert.True(WebhookSecret.TryParse("whsec_" + Convert.ToBase64String(new byte[64]), out _));
        Assert.False(WebhookSecret.TryParse("whsec_" + Convert.ToBase64String(new byte[65]), out _));
    }

    [Fact]
    public void Parse_throws_on_a_malformed_secret()
    {
        Assert.Throws<FormatException>(() => WebhookSecret.Parse("whsec_nope"));
    }
}
