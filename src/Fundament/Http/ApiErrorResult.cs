using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace Fundament.Http;

/// <summary>Writes an <see cref="ApiError"/> as the error envelope, with the request id.</summary>
public sealed class ApiErrorResult(ApiError error) : IResult, IEndpointMetadataProvider
{
    public ApiError Error { get; } = error;

    public Task ExecuteAsync(HttpContext httpContext) => WriteAsync(httpContext, Error);

    /// <summary>Writes the error envelope to the response; used by handlers and by the pipeline's own error paths.</summary>
    public static Task WriteAsync(HttpContext context, ApiError error)
    {
        var response = context.Response;
        response.StatusCode = error.Status;
        if (error.Status == StatusCodes.Status401Unauthorized && !response.Headers.ContainsKey("WWW-Authenticate"))
        {
            response.Headers.WWWAuthenticate = "Bearer realm=\"fundament\"";
        }

        var body = new ErrorEnvelope(new ErrorBody(error.Code, error.Message, error.Details, RequestIds.Get(context)));
        return response.WriteAsJsonAsync(body, AppJsonContext.Default.ErrorEnvelope, contentType: "application/json; charset=utf-8");
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status400BadRequest, typeof(ErrorEnvelope), ["application/json"]));
    }
}
