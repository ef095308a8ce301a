using System.Text.Json;
using Fundament.Collections;
using Fundament.Http;
using Fundament.Jobs;

namespace Fundament.Webhooks.Inbound;

/// <summary>
/// Reads the body of <c>POST /api/hooks</c> (a new hook) or <c>PATCH /api/hooks/{name}</c> (changes to
/// <c>current</c>) into the hook to save, with every failing field listed at once:
/// <c>{"name": "stripe", "verifier": "stripe", "secret": "whsec_…", "collection": "payments", "job": {"type": "billing.sync"}}</c>.
/// <c>secrets</c> (an array) replaces <c>secret</c> while a sender rotates; <c>collection</c> and
/// <c>job</c> are optional, and null removes them.
/// </summary>
internal static class InboundHookInput
{
    public static Outcome<InboundHook> Apply(JsonElement body, InboundHook? current, SchemaSnapshot schema, JobHandlers handlers, DateTime now)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return ApiError.Validation("body", "must be a JSON object");
        }

        var errors = new List<ErrorDetail>();
        string? name = current?.Name, verifier = current?.Verifier, collection = current?.Collection, job = current?.Job;
        IReadOnlyList<string>? secrets = current?.Secrets;
        string? secretsField = null;
        bool collectionGiven = false;
        JsonElement? template = null;
        foreach (var property in body.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "name" when current is not null:
                    if (value.ValueKind != JsonValueKind.String || value.GetString() != current.Name)
                    {
                        errors.Add(new("name", "cannot be changed; create a hook under the new name and delete this one"));
                    }

                    break;
                case "name" when value.ValueKind == JsonValueKind.String && InboundHook.IsName(value.GetString()):
                    name = value.GetString();
                    break;
                case "name":
                    errors.Add(new("name", $"must be 1 to {InboundHook.MaxNameLength} lowercase letters, digits, '-' or '_'"));
                    break;
                case "verifier" when value.ValueKind == JsonValueKind.String && InboundVerifiers.IsKnown(value.GetString()):
                    verifier = value.GetString();
                    break;
                case "verifier":
                    errors.Add(new("verifier", $"must be one of {string.Join(", ", InboundVerifiers.Names)}"));
                    break;
                case "secret" or "secrets" when secretsField is not null:
                    errors.Add(new(property.Name, "give either secret or secrets, not both"));
                    break;
                case "secret" when value.ValueKind == JsonValueKind.String && IsSecretText(value.GetString()!):
                    secrets = [value.GetString()!];
                    secretsField = "secret";
                    break;
                case "secret":
                    errors.Add(new("secret", "must be a non-empty string without control characters"));
                    break;
                case "secrets" when ReadSecrets(value) is { } list:
                    secrets = list;
                    secretsField = "secrets";
                    break;
                case "secrets":
                    errors.Add(new("secrets", $"must be an array of 1 to {InboundHook.MaxSecrets} non-empty strings without control characters, the newest first"));
                    break;
                case "collection" when value.ValueKind is JsonValueKind.String or JsonValueKind.Null:
                    collection = value.GetString();
                    collectionGiven = true;
                    break;
                case "collection":
                    errors.Add(new("collection", "must be the name of a collection, or null"));
                    break;
                case "job" when value.ValueKind == JsonValueKind.Null:
                    job = null;
                    break;
                case "job":
                    template = value;
                    break;
                default:
                    errors.Add(new(property.Name, "is not a known field"));
                    break;
            }
        }

        if (current is null)
        {
            AddMissing(errors, name, "name");
            AddMissing(errors, verifier, "verifier");
            if (secrets is null && !errors.Exists(e => e.Field is "secret" or "secrets"))
            {
                errors.Add(new("secret", "is required (or secrets, an array, while rotating)"));
            }
        }

        bool secretsReadable = !errors.Exists(e => e.Field is "verifier" or "secret" or "secrets");
        if (secretsReadable && verifier is not null && secrets is not null && !InboundVerifiers.TryCreate(verifier, secrets, out _))
        {
            errors.Add(secretsField is null
                ? new("verifier", "does not accept the hook's current secrets; send the new secret with it")
                : new(secretsField, SecretRule(verifier)));
        }

        if (collectionGiven && collection is not null && InboundHookTarget.Find(schema, collection, out string? problem) is null)
        {
            errors.Add(new("collection", problem!));
        }

        if (template is { } given)
        {
            errors.AddRange(InboundJobTemplate.Check(given, name ?? "example", handlers, now));
            job = given.GetRawText();
        }

        if (errors.Count > 0)
        {
            return ApiError.Validation(errors);
        }

        return new InboundHook(name!, verifier!, secrets!, collection, job, current?.CreatedAt ?? now, now);
    }

    private static string[]? ReadSecrets(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() is 0 or > InboundHook.MaxSecrets)
        {
            return null;
        }

        var secrets = new string[value.GetArrayLength()];
        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString() is not { } secret || !IsSecretText(secret))
            {
                return null;
            }

            secrets[i++] = secret;
        }

        return secrets;
    }

    /// <summary>
    /// No scheme's secret has control characters; refusing them catches a pasted line break, and keeps NUL
    /// out of the secrets column, which PostgreSQL's jsonb cannot store.
    /// </summary>
    private static bool IsSecretText(string secret) => secret.Length > 0 && !secret.Any(char.IsControl);

    private static void AddMissing(List<ErrorDetail> errors, string? value, string field)
    {
        if (value is null && !errors.Exists(e => e.Field == field))
        {
            errors.Add(new(field, "is required"));
        }
    }

    private static string SecretRule(string verifier) => verifier switch
    {
        InboundVerifiers.Stripe => "must be the endpoint's Stripe signing secret: whsec_ and printable characters without spaces",
        InboundVerifiers.Standard => "must be a Standard Webhooks secret: whsec_ and the base64 of a 24- to 64-byte key",
        _ => $"must be 1 to {HmacSha256Verifier.MaxSecretLength} characters",
    };
}
