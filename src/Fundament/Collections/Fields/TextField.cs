using System.Text.Json;
using System.Text.RegularExpressions;
using Fundament.Data;
using Fundament.Http;

namespace Fundament.Collections.Fields;

/// <summary>Text with optional length bounds (<c>min</c>, <c>max</c>) and a <c>pattern</c>.</summary>
public sealed class TextField : FieldType
{
    public override string Name => "text";

    public override IReadOnlyCollection<string> Options => ["min", "max", "pattern"];

    public override SqlType StorageType(FieldDefinition definition) => SqlType.Text;

    public override void ValidateOptions(FieldDefinition definition, string path, List<ErrorDetail> errors)
    {
        CheckBounds(definition, path, errors);
        if (definition.Pattern is { } pattern)
        {
            try
            {
                _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromMilliseconds(100));
            }
            catch (ArgumentException)
            {
                errors.Add(new ErrorDetail(path + ".pattern", "must be a valid regular expression"));
            }
        }
    }

    public override bool TryConvert(Field field, JsonElement value, out object? stored, out string? error)
    {
        stored = null;
        if (value.ValueKind != JsonValueKind.String)
        {
            error = "must be a string";
            return false;
        }

        string text = value.GetString()!;
        error = CheckLength(field.Definition, text.Length) ?? CheckPattern(field, text);
        stored = text;
        return error is null;
    }

    internal static string? CheckLength(FieldDefinition definition, int length)
    {
        if (definition.Min is { } min && length < min)
        {
            return $"must be at least {min} characters long";
        }

        if (definition.Max is { } max && length > max)
        {
            return $"must be at most {max} characters long";
        }

        return null;
    }

    private static string? CheckPattern(Field field, string text)
    {
        if (field.Pattern is null)
        {
            return null;
        }

        try
        {
            return field.Pattern.IsMatch(text) ? null : "does not match the required pattern";
        }
        catch (RegexMatchTimeoutException)
        {
            return "could not be checked against the pattern in time";
        }
    }
}
