using Fundament.Webhooks;
using Fundament.Webhooks.Outbound;

namespace Fundament.Tests.Webhooks.Outbound;

public sealed class WebhookEventsTests
{
    [Theory]
    [InlineData("*", true)]
    [InlineData("posts.*", true)]
    [InlineData("posts.created", true)]
    [InlineData("posts.updated", true)]
    [InlineData("my_posts2.deleted", true)]
    [InlineData("posts", false)]
    [InlineData("posts.", false)]
    [InlineData("posts.restored", false)]
    [InlineData("Posts.*", false)]
    [InlineData("*.created", false)]
    [InlineData("_posts.*", false)]
    [InlineData("posts.*.created", false)]
    [InlineData("", false)]
    [InlineData(" *", false)]
    public void Patterns_are_star_a_whole_collection_or_one_event(string pattern, bool valid) =>
        Assert.Equal(valid, WebhookEvents.IsValidPattern(pattern));

    [Theory]
    [InlineData("posts", "created", true)]
    [InlineData("posts", "deleted", true)]
    [InlineData("notes", "created", true)]
    [InlineData("notes", "updated", false)]
    [InlineData("postsx", "created", false)]
    public void A_matcher_combines_its_patterns(string collection, string action, bool matches)
    {
        var matcher = new WebhookEvents.Matcher(["posts.*", "notes.created"]);
        Assert.Equal(matches, matcher.Matches(collection, WebhookEvents.Type(collection, action)));
        Assert.True(new WebhookEvents.Matcher(["*"]).Matches(collection, WebhookEvents.Type(collection, action)));
    }

    [Fact]
    public void A_rotated_out_secret_signs_only_inside_its_window()
    {
        var now = new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        string current = WebhookSecret.Create().Text;
        string previous = WebhookSecret.Create().Text;
        var webhook = new Webhook("id", "https://example.com/", ["*"], null, current, previous, now + Webhook.RotationOverlap, true, 0, null, now, now);

        Assert.Equal([current, previous], webhook.SigningSecrets(now).Select(s => s.Text));
        Assert.Equal([current], webhook.SigningSecrets(now + Webhook.RotationOverlap).Select(s => s.Text));
        Assert.Equal([current], (webhook with { PreviousSecret = null, PreviousSecretUntil = null }).SigningSecrets(now).Select(s => s.Text));
    }
}
