using System.Net;
using System.Text.Json;

namespace Fundament.Tests.Testing;

public static class HttpAssertions
{
    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync();
        if (text.Length == 0)
        {
            return default;
        }

        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>Asserts the status and, for errors, the envelope's code; returns the body.</summary>
    public static async Task<JsonElement> ShouldBe(this Task<HttpResponseMessage> send, HttpStatusCode status, string? code = null)
    {
        using var response = await send;
        var json = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status} but got {(int)response.StatusCode}: {json}");
        Assert.True(response.Headers.Contains("X-Request-Id"), "every response carries X-Request-Id");
        if (code is not null)
        {
            Assert.False(json.GetProperty("success").GetBoolean());
            Assert.Equal(code, json.GetProperty("error").GetProperty("code").GetString());
            Assert.False(string.IsNullOrEmpty(json.GetProperty("error").GetProperty("requestId").GetString()));
        }
        else if (json.ValueKind == JsonValueKind.Object)
        {
            Assert.True(json.GetProperty("success").GetBoolean(), json.ToString());
        }

        return json;
    }

    public static IEnumerable<string> DetailFields(this JsonElement errorBody) =>
        errorBody.GetProperty("error").TryGetProperty("details", out var details)
            ? details.EnumerateArray().Select(d => d.GetProperty("field").GetString()!)
            : [];
}
