using System.Text.Json;
using Fundament.Data;
using Fundament.Http;

namespace Fundament.Collections.Fields;

/// <summary>
/// One of a fixed list of <c>values</c>; with <c>multiple: true</c> an array of distinct values
/// (stored as a JSON array, bounded in count by <c>min</c>/<c>max</c>).
/// </summary>
public sealed class SelectField : FieldType
{
    public override string Name => "select";

    public override IReadOnlyCollection<string> Options => ["values", "multiple", "min", "max"];

    public override SqlType StorageType(FieldDefinition definition) => definition.Multiple ? SqlType.Json : SqlType.Text;

    public override void ValidateOptions(FieldDefinition definition, string path, List<ErrorDetail> errors)
    {
        if (definition.Values is not { Count: > 0 } values)
        {
            errors.Add(new ErrorDetail(path + ".values", "must list at least one value"));
            return;
        }

        if (values.Any(string.IsNullOrEmpty) || values.Distinct(StringComparer.Ordinal).Count() != values.Count)
        {
            errors.Add(new ErrorDetail(path + ".values", "must be distinct, non-empty strings"));
        }

        if (!definition.Multiple && (definition.Min is not null || definition.Max is not null))
        {
            errors.Add(new ErrorDetail(path, "min and max apply only to multiple selects"));
        }

        CheckBounds(definition, path, errors);
    }

    public override bool TryConvert(Field field, JsonElement value, out object? stored, out string? error)
    {
        stored = null;
        var allowed = field.Definition.Values!;
        if (!field.Definition.Multiple)
        {
            if (value.ValueKind != JsonValueKind.String || !allowed.Contains(value.GetString()!))
            {
                error = "must be one of: " + string.Join(", ", allowed);
                return false;
            }

            stored = value.GetString();
            error = null;
            return true;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            error = "must be an array of values from: " + string.Join(", ", allowed);
            return false;
        }

        var chosen = new List<string>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || !allowed.Contains(item.GetString()!))
            {
                error = "must contain only values from: " + string.Join(", ", allowed);
                return false;
            }

            if (chosen.Contains(item.GetString()!))
            {
                error = "must not contain the same value twice";
                return false;
            }

            chosen.Add(item.GetString()!);
        }

        if (field.Definition.Min is { } min && chosen.Count < min)
        {
            error = $"must contain at least {min} values";
            return false;
        }

        if (field.Definition.Max is { } max && chosen.Count > max)
        {
            error = $"must contain at most {max} values";
            return false;
        }

        stored = JsonSerializer.Serialize(chosen, AppJsonContext.Default.ListString);
        error = null;
        return true;
    }

    public override bool IsEmpty(object stored) => stored is "[]" or "";
}
