using System.Collections.Frozen;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fundament.Collections.Fields;
using Fundament.Http;

namespace Fundament.Collections;

/// <summary>
/// Checks a collection definition against the naming rules, the field types' options and the rest
/// of the schema. Every problem is reported at once, each under the path of the offending part
/// (<c>fields[2].max</c>), so a client can show them all.
/// </summary>
public static partial class CollectionValidator
{
    public const int MaxFields = 200;
    public const int MaxIndexes = 32;

    /// <summary>Route segments and names the server uses itself (shared/API.md, "Collections").</summary>
    public static readonly FrozenSet<string> ReservedNames = new[]
    {
        "health", "auth", "collections", "batch", "keys", "jobs", "schedules", "webhooks", "hooks",
        "realtime", "connections", "ai", "admin", "openapi", "metrics", "docs", "oauth", "mcp", "files", "settings",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> CommonFieldKeys =
        new[] { "name", "type", "required", "unique", "indexed", "default" }.ToFrozenSet(StringComparer.Ordinal);

    [GeneratedRegex("^[a-z][a-z0-9_]{0,62}$")]
    private static partial Regex CollectionNamePattern();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,62}$")]
    private static partial Regex FieldNamePattern();

    /// <summary>Validates <paramref name="definition"/> as it would stand in <paramref name="schema"/>.</summary>
    public static List<ErrorDetail> Validate(CollectionDefinition definition, SchemaSnapshot schema)
    {
        var errors = new List<ErrorDetail>();
        if (!CollectionNamePattern().IsMatch(definition.Name ?? string.Empty))
        {
            errors.Add(new("name", "must start with a lower-case letter and contain only a-z, 0-9 and _ (at most 63 characters)"));
        }
        else if (ReservedNames.Contains(definition.Name!))
        {
            errors.Add(new("name", $"'{definition.Name}' is reserved"));
        }

        if (definition.Fields is null || definition.Fields.Count > MaxFields)
        {
            errors.Add(new("fields", $"must be a list of at most {MaxFields} fields"));
            return errors;
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < definition.Fields.Count; i++)
        {
            ValidateField(definition, definition.Fields[i], $"fields[{i}]", schema, seen, errors);
        }

        if (definition.Type == CollectionType.Auth)
        {
            ValidateAuth(definition, errors);
        }

        ValidateIndexes(definition, errors);
        return errors;
    }

    private static void ValidateField(CollectionDefinition collection, FieldDefinition field, string path, SchemaSnapshot schema,
        HashSet<string> seen, List<ErrorDetail> errors)
    {
        if (field is null)
        {
            errors.Add(new(path, "must be a field definition"));
            return;
        }

        if (!FieldNamePattern().IsMatch(field.Name ?? string.Empty))
        {
            errors.Add(new(path + ".name", "must start with a letter and contain only letters, digits and _ (at most 63 characters)"));
        }
        else if (Collection.SystemFieldNames.Contains(field.Name!))
        {
            errors.Add(new(path + ".name", $"'{field.Name}' is a system field"));
        }
        else if (!seen.Add(field.Name!))
        {
            errors.Add(new(path + ".name", $"'{field.Name}' is defined more than once"));
        }

        var type = FieldTypes.Find(field.Type ?? string.Empty);
        if (type is null)
        {
            errors.Add(new(path + ".type", "must be one of: " + string.Join(", ", FieldTypes.All.Keys.Order(StringComparer.Ordinal))));
            return;
        }

        foreach (var option in SetOptions(field))
        {
            if (!type.Options.Contains(option))
            {
                errors.Add(new(path + "." + option, $"is not an option of {type.Name} fields"));
            }
        }

        type.ValidateOptions(field, path, errors);
        if (type is RelationField && field.Target is { Length: > 0 } target && target != collection.Name && schema.Find(target) is null)
        {
            errors.Add(new(path + ".target", $"collection '{target}' does not exist"));
        }

        if (type is JsonField && (field.Unique || field.Indexed))
        {
            errors.Add(new(path, "json fields cannot be unique or indexed"));
        }

        if (field.Default is { ValueKind: not JsonValueKind.Null } json && errors.Count == 0)
        {
            var probe = new Field(field, type, isSystem: false, defaultValue: null);
            if (!type.TryConvert(probe, json, out _, out var error))
            {
                errors.Add(new(path + ".default", error!));
            }
        }
    }

    private static IEnumerable<string> SetOptions(FieldDefinition field)
    {
        if (field.Min is not null) yield return "min";
        if (field.Max is not null) yield return "max";
        if (field.Pattern is not null) yield return "pattern";
        if (field.Values is not null) yield return "values";
        if (field.Multiple) yield return "multiple";
        if (field.Integer) yield return "integer";
        if (field.Target is not null) yield return "target";
        if (field.OnDelete is not null) yield return "onDelete";
    }

    private static void ValidateAuth(CollectionDefinition definition, List<ErrorDetail> errors)
    {
        var email = definition.Fields.FirstOrDefault(f => f?.Name == "email");
        if (email is not { Type: "email", Unique: true })
        {
            errors.Add(new("fields", "an auth collection needs a unique 'email' field of type email"));
        }

        if (definition.Fields.FirstOrDefault(f => f?.Name == "password") is not { Type: "password" })
        {
            errors.Add(new("fields", "an auth collection needs a 'password' field of type password"));
        }
    }

    private static void ValidateIndexes(CollectionDefinition definition, List<ErrorDetail> errors)
    {
        if (definition.Indexes is null)
        {
            return;
        }

        if (definition.Indexes.Count > MaxIndexes)
        {
            errors.Add(new("indexes", $"must list at most {MaxIndexes} indexes"));
            return;
        }

        var names = definition.Fields.Where(f => f is not null).Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        names.UnionWith([Collection.IdField, Collection.CreatedAtField, Collection.UpdatedAtField]);
        for (int i = 0; i < definition.Indexes.Count; i++)
        {
            var index = definition.Indexes[i];
            if (index?.Fields is not { Count: > 0 and <= 16 } fields)
            {
                errors.Add(new($"indexes[{i}].fields", "must list 1 to 16 fields"));
                continue;
            }

            foreach (var name in fields)
            {
                if (name is null || !names.Contains(name))
                {
                    errors.Add(new($"indexes[{i}].fields", $"'{name}' is not a field of this collection"));
                }
            }

            if (fields.Distinct(StringComparer.Ordinal).Count() != fields.Count)
            {
                errors.Add(new($"indexes[{i}].fields", "must not repeat a field"));
            }
        }
    }

    /// <summary>Checks that a field change keeps data meaningful: a field's type cannot change in place.</summary>
    public static void ValidateChange(CollectionDefinition from, CollectionDefinition to, List<ErrorDetail> errors)
    {
        if (from.Type != to.Type)
        {
            errors.Add(new("type", "cannot change after creation"));
        }

        for (int i = 0; i < to.Fields.Count; i++)
        {
            var next = to.Fields[i];
            var previous = from.Fields.FirstOrDefault(f => string.Equals(f.Name, next?.Name, StringComparison.Ordinal));
            if (previous is null || next is null)
            {
                continue;
            }

            if (previous.Type != next.Type || previous.Multiple != next.Multiple || previous.Integer != next.Integer || previous.Target != next.Target)
            {
                errors.Add(new($"fields[{i}]", $"'{next.Name}' cannot change its type, multiple, integer or target; add a new field instead"));
            }
        }
    }
}
