using System.Text.Json;
using Fundament.Data;

namespace Fundament.Collections.Fields;

/// <summary>An absolute http or https URL.</summary>
public sealed class UrlField : FieldType
{
    private const int MaxLength = 2048;

    public override string Name => "url";

    public override SqlType StorageType(FieldDefinition definition) => SqlType.Text;

    public override bool TryConvert(Field field, JsonElement value, out object? stored, out string? error)
    {
        stored = null;
        if (value.ValueKind != JsonValueKind.String)
        {
            error = "must be a string";
            return false;
        }

        string text = value.GetString()!;
        if (text.Length > MaxLength || !Uri.TryCreate(text, UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || string.IsNullOrEmpty(uri.Host))
        {
            error = "must be an absolute http or https URL";
            return false;
        }

        stored = text;
        error = null;
        return true;
    }
}
