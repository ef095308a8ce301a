using Fundament.Webhooks;
using Fundament.Webhooks.Inbound;

namespace Fundament.Tests.Webhooks.Inbound;

public sealed class InboundVerifiersTests
{
    [Theory]
    [InlineData("stripe", "whsec_test_secret")]
    [InlineData("standard", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    [InlineData("hmac-sha256", "any shared secret")]
    public void Each_listed_name_creates_the_verifier_of_that_name(string name, string secret)
    {
        Assert.True(InboundVerifiers.IsKnown(name));
        Assert.Contains(name, InboundVerifiers.Names);
        Assert.True(InboundVerifiers.TryCreate(name, [secret], out var verifier));
        Assert.Equal(name, verifier.Name);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Stripe")]
    [InlineData("github")]
    public void Unknown_names_create_nothing(string? name)
    {
        Assert.False(InboundVerifiers.IsKnown(name));
        Assert.False(InboundVerifiers.TryCreate(name, ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"], out var verifier));
        Assert.Null(verifier);
    }

    [Fact]
    public void No_secrets_create_nothing()
    {
        Assert.All(InboundVerifiers.Names, name => Assert.False(InboundVerifiers.TryCreate(name, [], out _)));
    }

    [Fact]
    public void A_default_result_is_not_valid()
    {
        InboundVerification result = default;

        Assert.False(result.IsValid);
        Assert.Equal(SignatureStatus.Unverified, result.Status);
        Assert.Throws<ArgumentOutOfRangeException>(() => InboundVerification.Failed(SignatureStatus.Valid));
    }
}
