using System.Diagnostics.CodeAnalysis;

namespace Fundament.Http;

/// <summary>The value of an operation, or the <see cref="ApiError"/> that stopped it.</summary>
public readonly struct Outcome<T>
{
    private Outcome(T? value, ApiError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public ApiError? Error { get; }

    [MemberNotNullWhen(false, nameof(Error))]
    [MemberNotNullWhen(true, nameof(Value))]
    public bool IsSuccess => Error is null;

    public static implicit operator Outcome<T>(T value) => new(value, null);

    /// <summary>Wraps a value where an implicit conversion cannot apply (interfaces).</summary>
    public static Outcome<T> From(T value) => new(value, null);

    public static implicit operator Outcome<T>(ApiError error) => new(default, error);
}
