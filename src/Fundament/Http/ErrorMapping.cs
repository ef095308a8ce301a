using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fundament.Http;

/// <summary>
/// Routes ASP.NET Core's own error paths — unmatched routes (404), wrong methods (405), bad requests
/// caught by the server (400/413) and unhandled exceptions (500) — through the one error envelope.
/// The raw cause goes to the log with the request id, never to the client.
/// </summary>
public static partial class ErrorMapping
{
    public static IApplicationBuilder UseFundamentErrors(this IApplicationBuilder app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = WriteExceptionAsync,
            StatusCodeSelector = exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages(new StatusCodePagesOptions { HandleAsync = WriteStatusAsync });
        return app;
    }

    private static Task WriteExceptionAsync(HttpContext context)
    {
        var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        if (exception is BadHttpRequestException bad)
        {
            var error = bad.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? new ApiError(bad.StatusCode, ErrorCodes.PayloadTooLarge, "The request body is larger than the configured limit")
                : new ApiError(bad.StatusCode, ErrorCodes.ForStatus(bad.StatusCode), "The request could not be understood");
            return ApiErrorResult.WriteAsync(context, error);
        }

        var logger = context.RequestServices.GetService(typeof(ILogger<ApiError>)) as ILogger;
        if (logger is not null && exception is not null)
        {
            LogUnhandled(logger, exception, context.Request.Method, context.Request.Path, context.TraceIdentifier);
        }

        return ApiErrorResult.WriteAsync(context, ApiError.Internal());
    }

    private static Task WriteStatusAsync(StatusCodeContext statusContext)
    {
        var context = statusContext.HttpContext;
        int status = context.Response.StatusCode;
        var error = status switch
        {
            StatusCodes.Status404NotFound => ApiError.NotFound("No route matches " + context.Request.Path),
            StatusCodes.Status405MethodNotAllowed => new ApiError(status, ErrorCodes.MethodNotAllowed, $"{context.Request.Method} is not allowed on {context.Request.Path}"),
            StatusCodes.Status415UnsupportedMediaType => ApiError.UnsupportedMediaType(),
            StatusCodes.Status413PayloadTooLarge => new ApiError(status, ErrorCodes.PayloadTooLarge, "The request body is larger than the configured limit"),
            _ => new ApiError(status, ErrorCodes.ForStatus(status), "The request failed"),
        };
        return ApiErrorResult.WriteAsync(context, error);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception on {Method} {Path} (request {RequestId})")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path, string requestId);
}
