using System.Text.Json.Serialization;

namespace Fundament.Http;

/// <summary>The success envelope of shared/API.md: <c>{"success": true, "data": …, "meta": …}</c>.</summary>
public sealed record Envelope<T>(T Data)
{
    [JsonPropertyOrder(-1)]
    public bool Success => true;

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ListMeta? Meta { get; init; }
}

/// <summary>List metadata: page/limit/total for pages, limit/nextCursor for cursors.</summary>
public sealed record ListMeta
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Page { get; init; }

    public int Limit { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Total { get; init; }

    /// <summary>Set only for cursor pagination; null there means the last page.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? NextCursor { get; init; }

    [JsonIgnore]
    public bool IsCursor { get; init; }
}

/// <summary>The error envelope: <c>{"success": false, "error": {code, message, details, requestId}}</c>.</summary>
public sealed record ErrorEnvelope(ErrorBody Error)
{
    [JsonPropertyOrder(-1)]
    public bool Success => false;
}

public sealed record ErrorBody(
    string Code,
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ErrorDetail>? Details,
    string? RequestId);
