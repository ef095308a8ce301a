using System.Globalization;
using System.Text.Json;
using Fundament.Data;
using Fundament.Http;

namespace Fundament.Collections.Fields;

/// <summary>A number: 64-bit integer with <c>integer: true</c>, otherwise a double; optional <c>min</c>/<c>max</c>.</summary>
public sealed class NumberField : FieldType
{
    public override string Name => "number";

    public override IReadOnlyCollection<string> Options => ["min", "max", "integer"];

    public override SqlType StorageType(FieldDefinition definition) => definition.Integer ? SqlType.Integer : SqlType.Real;

    public override void ValidateOptions(FieldDefinition definition, string path, List<ErrorDetail> errors) =>
        CheckBounds(definition, path, errors, allowNegative: true);

    public override bool TryConvert(Field field, JsonElement value, out object? stored, out string? error)
    {
        stored = null;
        if (value.ValueKind != JsonValueKind.Number)
        {
            error = "must be a number";
            return false;
        }

        double number;
        if (field.Definition.Integer)
        {
            if (!value.TryGetInt64(out long whole))
            {
                error = "must be a whole number between -9223372036854775808 and 9223372036854775807";
                return false;
            }

            stored = whole;
            number = whole;
        }
        else
        {
            if (!value.TryGetDouble(out number) || !double.IsFinite(number))
            {
                error = "must be a finite number";
                return false;
            }

            stored = number;
        }

        error = CheckRange(field.Definition, number);
        return error is null;
    }

    private static string? CheckRange(FieldDefinition definition, double number)
    {
        if (definition.Min is { } min && number < min)
        {
            return "must be at least " + min.ToString(CultureInfo.InvariantCulture);
        }

        if (definition.Max is { } max && number > max)
        {
            return "must be at most " + max.ToString(CultureInfo.InvariantCulture);
        }

        return null;
    }

    public override bool IsEmpty(object stored) => false;
}
