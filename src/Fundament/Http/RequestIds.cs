using System.Buffers;
using Fundament.Toolkit;
using Microsoft.AspNetCore.Http;

namespace Fundament.Http;

/// <summary>
/// Gives every request an id, echoed in <c>X-Request-Id</c>. A valid incoming id (1–128 characters of
/// letters, digits, '-', '_', '.', ':') is kept so a request can be followed across services.
/// </summary>
public static class RequestIds
{
    public const string HeaderName = "X-Request-Id";
    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:");

    public static string Get(HttpContext context) => context.TraceIdentifier;

    internal static Task Middleware(HttpContext context, RequestDelegate next)
    {
        string incoming = context.Request.Headers[HeaderName].ToString();
        context.TraceIdentifier = IsValid(incoming) ? incoming : Uuids.NewV7Guid().ToString("N");
        context.Response.Headers[HeaderName] = context.TraceIdentifier;
        return next(context);
    }

    internal static bool IsValid(string id) =>
        id.Length is > 0 and <= 128 && !id.AsSpan().ContainsAnyExcept(Allowed);
}
