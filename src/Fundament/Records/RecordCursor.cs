using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using Fundament.Data;
using Fundament.Http;
using Fundament.Rules;

namespace Fundament.Records;

/// <summary>
/// Keyset pagination. A cursor carries the sort it was made for and the sort-key values of the last
/// record returned; the next page starts strictly after that record, so inserts and deletes between
/// pages never repeat or skip records. Opaque to clients (base64url JSON).
/// </summary>
public static class RecordCursor
{
    public static string Encode(string sortText, IReadOnlyList<SortKey> keys, Record last)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("s", sortText);
            writer.WriteStartArray("v");
            foreach (var key in keys)
            {
                switch (last[key.Field])
                {
                    case null: writer.WriteNullValue(); break;
                    case string text: writer.WriteStringValue(text); break;
                    case long number: writer.WriteNumberValue(number); break;
                    case double number: writer.WriteNumberValue(number); break;
                    case bool flag: writer.WriteBooleanValue(flag); break;
                    case DateTime time: writer.WriteStringValue(Timestamps.FormatValue(time)); break;
                    default: writer.WriteNullValue(); break;
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Base64Url.EncodeToString(buffer.WrittenSpan);
    }

    /// <summary>Decodes the values, checking that the cursor belongs to this sort.</summary>
    public static Outcome<object?[]> Decode(string cursor, string sortText, IReadOnlyList<SortKey> keys)
    {
        var invalid = ApiError.BadRequest("Invalid query parameter 'cursor': it is malformed or was made for another sort", [new ErrorDetail("cursor", "is not valid for this query")]);
        try
        {
            using var document = JsonDocument.Parse(Base64Url.DecodeFromChars(cursor));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.GetProperty("s").GetString() != sortText ||
                root.GetProperty("v") is not { ValueKind: JsonValueKind.Array } values || values.GetArrayLength() != keys.Count)
            {
                return invalid;
            }

            var result = new object?[keys.Count];
            int i = 0;
            foreach (var value in values.EnumerateArray())
            {
                if (!TryRead(value, keys[i].Field.SqlType, out result[i]))
                {
                    return invalid;
                }

                i++;
            }

            return result;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return invalid;
        }
    }

    private static bool TryRead(JsonElement value, SqlType type, out object? result)
    {
        result = null;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        switch (type)
        {
            case SqlType.Integer when value.TryGetInt64(out long whole):
                result = whole;
                return true;
            case SqlType.Real when value.ValueKind == JsonValueKind.Number:
                result = value.GetDouble();
                return true;
            case SqlType.Boolean when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                result = value.GetBoolean();
                return true;
            case SqlType.Timestamp when value.ValueKind == JsonValueKind.String && Timestamps.TryParse(value.GetString()!, out var time):
                result = time;
                return true;
            case SqlType.Id when value.ValueKind == JsonValueKind.String && Toolkit.Uuids.TryNormalize(value.GetString()!, out var id):
                result = id;
                return true;
            case SqlType.Text when value.ValueKind == JsonValueKind.String:
                result = value.GetString();
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Appends "comes after the cursor row" for keys ordered with NULLs as the smallest value
    /// (<c>ASC NULLS FIRST</c>, <c>DESC NULLS LAST</c>), which both dialects spell the same way.
    /// </summary>
    public static void AppendAfter(SqlBuilder sql, string alias, IReadOnlyList<SortKey> keys, object?[] values)
    {
        sql.Append('(');
        for (int i = 0; i < keys.Count; i++)
        {
            if (i > 0)
            {
                sql.Append(" OR ");
            }

            sql.Append('(');
            for (int j = 0; j < i; j++)
            {
                AppendEqual(sql, alias, keys[j], values[j]);
                sql.Append(" AND ");
            }

            AppendGreater(sql, alias, keys[i], values[i]);
            sql.Append(')');
        }

        sql.Append(')');
    }

    private static void AppendEqual(SqlBuilder sql, string alias, SortKey key, object? value)
    {
        sql.Column(alias, key.Field.Name);
        if (value is null)
        {
            sql.Append(" IS NULL");
        }
        else
        {
            sql.Append(" = ").Parameter(key.Field.SqlType, value);
        }
    }

    private static void AppendGreater(SqlBuilder sql, string alias, SortKey key, object? value)
    {
        if (!key.Descending)
        {
            sql.Column(alias, key.Field.Name);
            if (value is null)
            {
                sql.Append(" IS NOT NULL");
            }
            else
            {
                sql.Append(" > ").Parameter(key.Field.SqlType, value);
            }
        }
        else if (value is null)
        {
            sql.Append("1 = 0");
        }
        else if (key.Field.NotNull)
        {
            sql.Column(alias, key.Field.Name).Append(" < ").Parameter(key.Field.SqlType, value);
        }
        else
        {
            sql.Append('(').Column(alias, key.Field.Name).Append(" < ").Parameter(key.Field.SqlType, value)
               .Append(" OR ").Column(alias, key.Field.Name).Append(" IS NULL)");
        }
    }
}
