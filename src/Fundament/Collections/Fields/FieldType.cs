using System.Text.Json;
using Fundament.Data;
using Fundament.Http;

namespace Fundament.Collections.Fields;

/// <summary>
/// One kind of field: how it is stored, which options it takes, how a JSON value becomes a stored
/// value and how a stored value is written back as JSON. One subclass per file; all listed in
/// <see cref="FieldTypes"/>.
/// </summary>
public abstract class FieldType
{
    /// <summary>The name used in collection definitions, for example <c>text</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Options (beyond name/type/required/unique/indexed/default) that this type accepts.</summary>
    public virtual IReadOnlyCollection<string> Options => [];

    /// <summary>True when values are never returned to clients (password hashes).</summary>
    public virtual bool Hidden => false;

    public abstract SqlType StorageType(FieldDefinition definition);

    /// <summary>Checks the type's options; reports problems under <paramref name="path"/>.</summary>
    public virtual void ValidateOptions(FieldDefinition definition, string path, List<ErrorDetail> errors)
    {
    }

    /// <summary>
    /// Converts a non-null JSON value into the stored value, or explains why it is not acceptable.
    /// </summary>
    public abstract bool TryConvert(Field field, JsonElement value, out object? stored, out string? error);

    /// <summary>Writes a stored (non-null) value as JSON.</summary>
    public virtual void Write(Utf8JsonWriter writer, Field field, object stored)
    {
        switch (stored)
        {
            case string text when field.SqlType == SqlType.Json:
                writer.WriteRawValue(text, skipInputValidation: true);
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case long number:
                writer.WriteNumberValue(number);
                break;
            case double number:
                writer.WriteNumberValue(number);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case DateTime time:
                Span<char> instant = stackalloc char[Timestamps.Length];
                Timestamps.Write(time, instant);
                writer.WriteStringValue(instant);
                break;
            default:
                throw new InvalidOperationException($"Unexpected stored value {stored.GetType().Name} for field {field.Name}.");
        }
    }

    /// <summary>True when the value counts as empty for <c>required</c> (besides null).</summary>
    public virtual bool IsEmpty(object stored) => stored is string { Length: 0 };

    protected static void CheckBounds(FieldDefinition definition, string path, List<ErrorDetail> errors, bool allowNegative = false)
    {
        if (!allowNegative && (definition.Min < 0 || definition.Max < 0))
        {
            errors.Add(new ErrorDetail(path, "min and max must not be negative"));
        }

        if (definition.Min > definition.Max)
        {
            errors.Add(new ErrorDetail(path, "min must not be greater than max"));
        }
    }
}
