using Microsoft.AspNetCore.Http;

namespace Fundament.Http;

/// <summary>One failing field or item in an error's <c>details</c>.</summary>
public sealed record ErrorDetail(string Field, string Message);

/// <summary>
/// An expected failure of a request: a status, a stable code from <see cref="ErrorCodes"/>, a message
/// a person can read and optional per-field details. Handlers return these; they are never thrown.
/// </summary>
public sealed record ApiError(int Status, string Code, string Message, IReadOnlyList<ErrorDetail>? Details = null)
{
    public static ApiError BadRequest(string message, IReadOnlyList<ErrorDetail>? details = null) =>
        new(StatusCodes.Status400BadRequest, ErrorCodes.BadRequest, message, details);

    public static ApiError Validation(IReadOnlyList<ErrorDetail> details) =>
        new(StatusCodes.Status422UnprocessableEntity, ErrorCodes.ValidationError, "Invalid input", details);

    public static ApiError Validation(string field, string message) => Validation([new ErrorDetail(field, message)]);

    public static ApiError Unauthorized(string message = "Missing or invalid credentials") =>
        new(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, message);

    public static ApiError Forbidden(string message = "You are not allowed to perform this action") =>
        new(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, message);

    public static ApiError NotFound(string message = "The requested resource was not found") =>
        new(StatusCodes.Status404NotFound, ErrorCodes.NotFound, message);

    public static ApiError Conflict(string message, IReadOnlyList<ErrorDetail>? details = null) =>
        new(StatusCodes.Status409Conflict, ErrorCodes.Conflict, message, details);

    public static ApiError PreconditionFailed(string message = "The resource has changed since it was read") =>
        new(StatusCodes.Status412PreconditionFailed, ErrorCodes.PreconditionFailed, message);

    public static ApiError PayloadTooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge, $"The request body is larger than the limit of {limit} bytes");

    public static ApiError UnsupportedMediaType(string message = "The request body must be JSON (Content-Type: application/json)") =>
        new(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType, message);

    public static ApiError Internal() =>
        new(StatusCodes.Status500InternalServerError, ErrorCodes.InternalError, "An unexpected error occurred");

    public static ApiError Unavailable(string message = "The service is not available") =>
        new(StatusCodes.Status503ServiceUnavailable, ErrorCodes.ServiceUnavailable, message);

    /// <summary>Wraps the error as a result that writes the envelope.</summary>
    public ApiErrorResult ToResult() => new(this);
}
