using System.Text.Json;
using Fundament.Data;
using Fundament.Http;
using Fundament.Toolkit;

namespace Fundament.Collections.Fields;

/// <summary>
/// A password: accepted in clear text on write (at least <c>min</c> characters, 8 by default),
/// stored only as a salted hash (<see cref="PasswordHash"/>), never returned and never filterable.
/// </summary>
public sealed class PasswordField : FieldType
{
    public const int DefaultMinLength = 8;
    private const int MaxLength = 1024;

    public override string Name => "password";

    public override IReadOnlyCollection<string> Options => ["min"];

    public override bool Hidden => true;

    public override SqlType StorageType(FieldDefinition definition) => SqlType.Text;

    public override void ValidateOptions(FieldDefinition definition, string path, List<ErrorDetail> errors)
    {
        if (definition.Min is < DefaultMinLength)
        {
            errors.Add(new ErrorDetail(path + ".min", $"must be at least {DefaultMinLength}"));
        }

        if (definition.Unique || definition.Indexed || definition.Default is not null)
        {
            errors.Add(new ErrorDetail(path, "a password cannot be unique, indexed or have a default"));
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

        string password = value.GetString()!;
        int min = (int)(field.Definition.Min ?? DefaultMinLength);
        if (password.Length < min || password.Length > MaxLength)
        {
            error = $"must be between {min} and {MaxLength} characters long";
            return false;
        }

        stored = PasswordHash.Create(password);
        error = null;
        return true;
    }
}
