using System.Net.Mail;
using System.Text.Json;
using Fundament.Data;

namespace Fundament.Collections.Fields;

/// <summary>An email address, stored lower-cased so that uniqueness ignores case.</summary>
public sealed class EmailField : FieldType
{
    private const int MaxLength = 254;

    public override string Name => "email";

    public override SqlType StorageType(FieldDefinition definition) => SqlType.Text;

    public override bool TryConvert(Field field, JsonElement value, out object? stored, out string? error)
    {
        stored = null;
        if (value.ValueKind != JsonValueKind.String)
        {
            error = "must be a string";
            return false;
        }

        string text = value.GetString()!.Trim();
        if (!IsValid(text))
        {
            error = "must be a valid email address";
            return false;
        }

        stored = text.ToLowerInvariant();
        error = null;
        return true;
    }

    public static bool IsValid(string text)
    {
        if (text.Length is 0 or > MaxLength || text.Contains(' ', StringComparison.Ordinal))
        {
            return false;
        }

        int at = text.LastIndexOf('@');
        if (at <= 0 || at == text.Length - 1 || !text.AsSpan(at + 1).Contains('.') || text.EndsWith('.'))
        {
            return false;
        }

        return MailAddress.TryCreate(text, out var address) && address.Address == text;
    }
}
