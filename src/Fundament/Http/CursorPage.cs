using System.Globalization;
using System.Text.Json;
using Fundament.Toolkit;
using Microsoft.AspNetCore.Http;

namespace Fundament.Http;

/// <summary>
/// The <c>limit</c> and <c>cursor</c> of an admin list (jobs, webhook deliveries, inbound events), newest first
/// by UUIDv7 id: the cursor is the last id of the previous page. Unknown query parameters are a 400, so a typo
/// is not silently ignored.
/// </summary>
public sealed record CursorPage(int Limit, string? Cursor)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    /// <summary>Reads <c>limit</c> and <c>cursor</c>; <paramref name="filters"/> are the other parameters the list accepts.</summary>
    public static Outcome<CursorPage> Parse(IQueryCollection query, params string[] filters)
    {
        foreach (var key in query.Keys)
        {
            if (key is not ("limit" or "cursor") && Array.IndexOf(filters, key) < 0)
            {
                return ApiError.BadRequest($"Unknown query parameter '{key}'; use {string.Join(", ", [.. filters, "limit", "cursor"])}");
            }
        }

        int limit = DefaultLimit;
        if (query.TryGetValue("limit", out var limitText) &&
            (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            return ApiError.BadRequest($"limit must be a whole number from 1 to {MaxLimit}");
        }

        string? cursor = query["cursor"];
        if (cursor is not null && !Uuids.TryNormalize(cursor, out cursor))
        {
            return ApiError.BadRequest("cursor is not a value this API returned");
        }

        return new CursorPage(limit, cursor);
    }

    /// <summary>
    /// Answers with a list fetched with <c>Limit + 1</c> rows: the page, and <c>meta {limit, nextCursor}</c>
    /// (null on the last page), as shared/API.md describes cursor pagination.
    /// </summary>
    public JsonBytesResult Answer<T>(List<T> rows, Func<T, string> id, Action<Utf8JsonWriter, T> write)
    {
        string? next = null;
        if (rows.Count > Limit)
        {
            rows.RemoveRange(Limit, rows.Count - Limit);
            next = id(rows[^1]);
        }

        return JsonBytesResult.List(writer =>
        {
            writer.WriteStartArray();
            foreach (var row in rows)
            {
                write(writer, row);
            }

            writer.WriteEndArray();
        }, meta =>
        {
            meta.WriteNumber("limit", Limit);
            if (next is null)
            {
                meta.WriteNull("nextCursor");
            }
            else
            {
                meta.WriteString("nextCursor", next);
            }
        });
    }
}
