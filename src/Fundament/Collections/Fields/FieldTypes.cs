using System.Collections.Frozen;

namespace Fundament.Collections.Fields;

/// <summary>Every field type, by name. Adding a type means one file and one line here.</summary>
public static class FieldTypes
{
    public static readonly TextField Text = new();
    public static readonly DateTimeField DateTime = new();
    internal static readonly SystemIdField SystemId = new();

    public static readonly FrozenDictionary<string, FieldType> All = new FieldType[]
    {
        Text,
        new NumberField(),
        new BoolField(),
        new EmailField(),
        new UrlField(),
        DateTime,
        new JsonField(),
        new SelectField(),
        new RelationField(),
        new PasswordField(),
    }.ToFrozenDictionary(type => type.Name, StringComparer.Ordinal);

    public static FieldType? Find(string name) => All.GetValueOrDefault(name);
}
