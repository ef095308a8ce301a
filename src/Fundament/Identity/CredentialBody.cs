using System.Text.Json;
using Fundament.Http;
using Microsoft.AspNetCore.Http;

namespace Fundament.Identity;

/// <summary>
/// The small JSON bodies of the auth routes: named fields that must be non-empty strings (at most 4 KB),
/// unknown fields refused, every problem reported at once.
/// </summary>
public static class CredentialBody
{
    public const int MaxValueLength = 4096;

    public static async Task<Outcome<Dictionary<string, string>>> ReadAsync(HttpContext http, CancellationToken cancellationToken, string[] required, string[] optional)
    {
        var body = await JsonBody.ReadAsync(http.Request, cancellationToken);
        if (!body.IsSuccess)
        {
            return body.Error;
        }

        using var document = body.Value;
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return ApiError.BadRequest("The request body must be a JSON object");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var errors = new List<ErrorDetail>();
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (!required.Contains(property.Name) && !optional.Contains(property.Name))
            {
                errors.Add(new(property.Name, "is not a known field"));
            }
            else if (property.Value.ValueKind != JsonValueKind.String || property.Value.GetString()!.Length is 0 or > MaxValueLength)
            {
                errors.Add(new(property.Name, "must be a non-empty string"));
            }
            else
            {
                values[property.Name] = property.Value.GetString()!;
            }
        }

        errors.AddRange(required.Where(name => !values.ContainsKey(name) && !errors.Exists(e => e.Field == name)).Select(name => new ErrorDetail(name, "is required")));
        return errors.Count > 0 ? ApiError.Validation(errors) : values;
    }
}
