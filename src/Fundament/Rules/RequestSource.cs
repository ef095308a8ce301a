using System.Text.Json;
using Fundament.Data;
using Fundament.Toolkit;

namespace Fundament.Rules;

/// <summary>
/// <c>@request.auth.&lt;name&gt;</c> or <c>@request.body.&lt;name&gt;</c>, converted at emit time to the
/// type of the other side. A missing or unconvertible value binds NULL, and a comparison with NULL is
/// never true in SQL: an anonymous caller, or a body without the field, simply matches nothing.
/// </summary>
internal sealed class RequestSource : ValueSource
{
    private readonly bool _fromBody;
    private readonly string _name;
    private readonly SqlType _target;
    private readonly bool _likePattern;
    private readonly bool _presenceOnly;

    private RequestSource(bool fromBody, string name, SqlType target, bool likePattern, bool presenceOnly)
    {
        _fromBody = fromBody;
        _name = name;
        _target = target;
        _likePattern = likePattern;
        _presenceOnly = presenceOnly;
    }

    public static RequestSource Typed(bool fromBody, string name, SqlType target) => new(fromBody, name, target, false, false);

    /// <summary>A text value escaped for <c>~</c>.</summary>
    public static RequestSource Pattern(bool fromBody, string name) => new(fromBody, name, SqlType.Text, true, false);

    /// <summary>For <c>= null</c>: binds TRUE when the value is present and not null, else NULL.</summary>
    public static RequestSource Presence(bool fromBody, string name) => new(fromBody, name, SqlType.Boolean, false, true);

    public override object? Resolve(RuleContext context, out SqlType type)
    {
        type = _target;
        object? value;
        if (_fromBody)
        {
            if (context.Body is not { ValueKind: JsonValueKind.Object } body ||
                !body.TryGetProperty(_name, out var element) ||
                element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            {
                return null;
            }

            if (_presenceOnly)
            {
                return true;
            }

            value = FromJson(element, ref type);
        }
        else
        {
            object? stored = context.Auth is { } auth ? auth.GetValueOrDefault(_name) : null;
            if (stored is null || _presenceOnly)
            {
                return stored is null ? null : true;
            }

            value = FromStored(stored, ref type);
        }

        return _likePattern && value is string text ? LikePattern.Escape(text) : value;
    }

    // Integral targets may get a fractional value; it is bound as Real so the comparison stays exact.
    private static object? FromJson(JsonElement element, ref SqlType type) => type switch
    {
        SqlType.Text when element.ValueKind == JsonValueKind.String => WithoutNul(element.GetString()!),
        SqlType.Id when element.ValueKind == JsonValueKind.String && Uuids.TryNormalize(element.GetString()!, out var id) => id,
        SqlType.Timestamp when element.ValueKind == JsonValueKind.String && Timestamps.TryParse(element.GetString()!, out var time) => time,
        SqlType.Integer when element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out long whole) => whole,
        SqlType.Integer when element.ValueKind == JsonValueKind.Number => Real(element.GetDouble(), ref type),
        SqlType.Real when element.ValueKind == JsonValueKind.Number => element.GetDouble(),
        SqlType.Boolean when element.ValueKind is JsonValueKind.True or JsonValueKind.False => element.GetBoolean(),
        _ => null,
    };

    private static object? FromStored(object stored, ref SqlType type) => (type, stored) switch
    {
        (SqlType.Text or SqlType.Json, string text) => text,
        (SqlType.Id, string text) when Uuids.TryNormalize(text, out var id) => id,
        (SqlType.Timestamp, DateTime time) => time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : DateTime.SpecifyKind(time, DateTimeKind.Utc),
        (SqlType.Timestamp, string text) when Timestamps.TryParse(text, out var time) => time,
        (SqlType.Integer, long whole) => whole,
        (SqlType.Integer, int whole) => (long)whole,
        (SqlType.Integer, double real) => Real(real, ref type),
        (SqlType.Real, double real) => real,
        (SqlType.Real, long whole) => (double)whole,
        (SqlType.Real, int whole) => (double)whole,
        (SqlType.Boolean, bool flag) => flag,
        _ => null,
    };

    private static object Real(double value, ref SqlType type)
    {
        type = SqlType.Real;
        return value;
    }

    // PostgreSQL text cannot hold NUL; such a value could never equal a stored one anyway.
    private static string? WithoutNul(string text) => text.Contains('\0', StringComparison.Ordinal) ? null : text;
}
