using System.Text.Json;
using Fundament.Data;
using Fundament.Http;
using Fundament.Toolkit;

namespace Fundament.Collections.Fields;

/// <summary>
/// The id of a record in the <c>target</c> collection, enforced by a foreign key with the chosen
/// <c>onDelete</c> action (restrict by default).
/// </summary>
public sealed class RelationField : FieldType
{
    public override string Name => "relation";

    public override IReadOnlyCollection<string> Options => ["target", "onDelete"];

    public override SqlType StorageType(FieldDefinition definition) => SqlType.Id;

    public override void ValidateOptions(FieldDefinition definition, string path, List<ErrorDetail> errors)
    {
        if (string.IsNullOrEmpty(definition.Target))
        {
            errors.Add(new ErrorDetail(path + ".target", "must name the target collection"));
        }

        if (definition.Required && definition.OnDelete == OnDelete.SetNull)
        {
            errors.Add(new ErrorDetail(path + ".onDelete", "set-null cannot be used on a required relation"));
        }
    }

    public override bool TryConvert(Field field, JsonElement value, out object? stored, out string? error)
    {
        if (value.ValueKind == JsonValueKind.String && Uuids.TryNormalize(value.GetString()!, out var id))
        {
            stored = id;
            error = null;
            return true;
        }

        stored = null;
        error = "must be the id of a record in " + field.Target;
        return false;
    }
}
