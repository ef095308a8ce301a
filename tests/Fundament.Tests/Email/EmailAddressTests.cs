using Fundament.Email;

namespace Fundament.Tests.Email;

public sealed class EmailAddressTests
{
    [Theory]
    [InlineData("ada@example.com", null, "ada@example.com")]
    [InlineData("  Ada Lovelace <ada@example.com> ", "Ada Lovelace", "ada@example.com")]
    [InlineData("\"Lovelace, Ada\" <ada@example.com>", "Lovelace, Ada", "ada@example.com")]
    [InlineData("\"Ada \\\"The\\\" L\" <ada@example.com>", "Ada \"The\" L", "ada@example.com")]
    [InlineData("<ada@example.com>", null, "ada@example.com")]
    [InlineData("Zoë <zoe+tag@mail.example-host.com>", "Zoë", "zoe+tag@mail.example-host.com")]
    [InlineData("no-reply@localhost", null, "no-reply@localhost")]
    public void Accepts_usual_addresses(string text, string? displayName, string address)
    {
        Assert.True(EmailAddress.TryParse(text, out var parsed, out string? error), error);
        Assert.Equal(new EmailAddress(displayName, address), parsed);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("ada", "must look like")]
    [InlineData("ada@@example.com", "must look like")]
    [InlineData("ada@", "must look like")]
    [InlineData("zoë@example.com", "must be ASCII")]
    [InlineData(".ada@example.com", "local part")]
    [InlineData("a..da@example.com", "local part")]
    [InlineData("\"a b\"@example.com", "local part")]
    [InlineData("ada@-example.com", "invalid domain")]
    [InlineData("ada@example..com", "invalid domain")]
    [InlineData("ada@exa_mple.com", "invalid domain")]
    [InlineData("ada@example.com\r\n", "control character")]
    [InlineData("Ada\0 <ada@example.com>", "control character")]
    [InlineData("Ada <ada@example.com> <eve@example.com>", "more than one")]
    public void Refuses_what_it_cannot_send_safely(string text, string message)
    {
        Assert.False(EmailAddress.TryParse(text, out _, out string? error));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }
}
