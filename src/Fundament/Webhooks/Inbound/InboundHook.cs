using System.Text.Json;
using System.Text.RegularExpressions;
using Fundament.Data;

namespace Fundament.Webhooks.Inbound;

/// <summary>
/// A configured inbound hook: senders POST to <c>/api/hooks/{Name}</c>, <see cref="Verifier"/> checks the
/// signature with one of <see cref="Secrets"/> (several while the sender rotates), and each new event goes to
/// <see cref="Collection"/> and/or a job made from the <see cref="Job"/> template.
/// </summary>
public sealed partial record InboundHook(
    string Name,
    string Verifier,
    IReadOnlyList<string> Secrets,
    string? Collection,
    string? Job,
    DateTime CreatedAt,
    DateTime UpdatedAt)
{
    public const int MaxNameLength = 64;

    /// <summary>Two cover a rotation; a few more allow for senders that keep old secrets alive for a while.</summary>
    public const int MaxSecrets = 5;

    /// <summary>Secrets at least this long (after any <c>whsec_</c>) show their last four characters in hints.</summary>
    private const int HintMinLength = 20;

    [GeneratedRegex("^[a-z0-9_-]{1,64}$")]
    private static partial Regex NamePattern();

    /// <summary>True for 1–64 lowercase letters, digits, '-' and '_': safe in a URL, a log line and a metric tag.</summary>
    public static bool IsName(string? text) => text is { Length: > 0 and <= MaxNameLength } && NamePattern().IsMatch(text);

    /// <summary>
    /// A masked form of a secret for the API (the secret itself is never sent back): its <c>whsec_</c>
    /// prefix if any, then the last four characters, which is enough to tell which secret is which. Short
    /// secrets show nothing, so the hint never gives away a meaningful share of one.
    /// </summary>
    public static string Hint(string secret)
    {
        string prefix = secret.StartsWith(WebhookSecret.Prefix, StringComparison.Ordinal) ? WebhookSecret.Prefix : string.Empty;
        return secret.Length - prefix.Length >= HintMinLength ? prefix + "…" + secret[^4..] : prefix + "…";
    }

    /// <summary>Writes the hook as the API shows it, with hints in place of the secrets.</summary>
    public void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("name", Name);
        writer.WriteString("url", $"/api/hooks/{Name}");
        writer.WriteString("verifier", Verifier);
        writer.WriteStartArray("secretHints");
        foreach (string secret in Secrets)
        {
            writer.WriteStringValue(Hint(secret));
        }

        writer.WriteEndArray();
        if (Collection is null)
        {
            writer.WriteNull("collection");
        }
        else
        {
            writer.WriteString("collection", Collection);
        }

        writer.WritePropertyName("job");
        if (Job is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteRawValue(Job, skipInputValidation: true);
        }

        writer.WriteString("createdAt", Timestamps.FormatValue(CreatedAt));
        writer.WriteString("updatedAt", Timestamps.FormatValue(UpdatedAt));
        writer.WriteEndObject();
    }
}
