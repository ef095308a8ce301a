using Fundament.Http;

namespace Fundament.Rules;

/// <summary>What is wrong with a filter and where (a 0-based character offset).</summary>
internal readonly record struct FilterError(string Problem, int Position)
{
    private const int MaxQuoted = 32;

    public string Describe() => Problem + " at position " + Position.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public ApiError ToApiError(string detailField)
    {
        string description = Describe();
        return ApiError.BadRequest("Invalid filter: " + description, [new ErrorDetail(detailField, description)]);
    }

    /// <summary>Cuts user text quoted in a message, so errors stay small whatever the input.</summary>
    public static string Shorten(string text) => text.Length <= MaxQuoted ? text : string.Concat(text.AsSpan(0, MaxQuoted), "…");
}
