using Fundament.Toolkit;

namespace Fundament.Tests.Toolkit;

public sealed class PasswordHashTests
{
    [Fact]
    public void A_hash_verifies_its_password_and_no_other()
    {
        string hash = PasswordHash.Create("correct horse battery");
        Assert.StartsWith("pbkdf2-sha512$210000$", hash, StringComparison.Ordinal);
        Assert.True(PasswordHash.Verify("correct horse battery", hash));
        Assert.False(PasswordHash.Verify("correct horse batterY", hash));
        Assert.False(PasswordHash.Verify("x", "not-a-hash"));
    }
}
