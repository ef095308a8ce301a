using Fundament.Data;
using Fundament.Http;
using Fundament.Records;

namespace Fundament.Identity;

/// <summary>
/// What identity adds to writes on auth collections: only superusers set <c>verified</c>, and a new
/// password signs the user out everywhere (its refresh tokens are revoked in the same transaction).
/// </summary>
public static class AuthRecordHooks
{
    public const string VerifiedField = "verified";
    public const string PasswordField = "password";

    public static void Register(RecordHooks hooks)
    {
        hooks.Validating.Add(static (write, _) => ValueTask.FromResult(CheckVerified(write)));
        hooks.Written.Add(static (write, cancellationToken) => RevokeOnPasswordChangeAsync(write, cancellationToken));
    }

    private static ApiError? CheckVerified(RecordWrite write)
    {
        if (!write.Collection.IsAuth || write.Context.Caller.IsSuperuser || write.Collection.FindField(VerifiedField) is not { } field)
        {
            return null;
        }

        object? before = write.Before is null ? field.DefaultValue : write.BeforeValue(VerifiedField);
        return Equals(before, write.AfterValue(VerifiedField)) || (before is null && write.AfterValue(VerifiedField) is false)
            ? null
            : ApiError.Validation(VerifiedField, "can only be changed by superusers or by confirming the email address");
    }

    private static async ValueTask RevokeOnPasswordChangeAsync(RecordWrite write, CancellationToken cancellationToken)
    {
        if (write.Collection.IsAuth && write.Before is not null && write.Changed(PasswordField) && write.AfterValue("id") is string id)
        {
            await RefreshTokens.RevokeSubjectAsync(write.Transaction, write.Collection.Name, id, Timestamps.Now(TimeProvider.System), cancellationToken);
        }
    }
}
