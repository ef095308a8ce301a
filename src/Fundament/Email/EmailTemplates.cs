namespace Fundament.Email;

/// <summary>What an account email says: the product's name, the single-use token and how long it lasts.</summary>
public sealed record AccountEmailModel(string AppName, string Token, TimeSpan ExpiresIn);

/// <summary>
/// The messages Fundament writes itself. The token sits alone on its line between blank lines, so a person can
/// copy it and a client (or a test) can find it.
/// </summary>
/// <example><code>var message = EmailTemplates.VerifyEmail("ada@example.com", new AccountEmailModel("Acme", token, TimeSpan.FromDays(1)));</code></example>
public static class EmailTemplates
{
    /// <summary>Asks the recipient to confirm their address with <c>POST /api/auth/confirm-email</c>.</summary>
    public static EmailMessage VerifyEmail(string to, AccountEmailModel model) => new(
        to,
        $"Confirm your email address for {model.AppName}",
        $"Confirm your email address for {model.AppName} by sending this token to POST /api/auth/confirm-email as {{\"token\": \"...\"}}:\n\n" +
        $"{model.Token}\n\nIt expires in {Duration(model.ExpiresIn)}.");

    /// <summary>Gives the recipient a token for <c>POST /api/auth/confirm-password-reset</c>.</summary>
    public static EmailMessage ResetPassword(string to, AccountEmailModel model) => new(
        to,
        $"Reset your {model.AppName} password",
        $"Someone asked to reset your {model.AppName} password. If it was you, send this token with a new password to " +
        $"POST /api/auth/confirm-password-reset:\n\n{model.Token}\n\n" +
        $"It expires in {Duration(model.ExpiresIn)}. If it was not you, ignore this email.");

    /// <summary>"1 hour", "24 hours", "3 days", "90 minutes": the largest whole unit that fits, hours up to two days.</summary>
    internal static string Duration(TimeSpan span) => span switch
    {
        { TotalHours: > 48, Hours: 0, Minutes: 0, Seconds: 0 } => Plural(span.Days, "day"),
        { Minutes: 0, Seconds: 0 } when span.TotalHours >= 1 => Plural((int)span.TotalHours, "hour"),
        _ => Plural(Math.Max(1, (int)Math.Ceiling(span.TotalMinutes)), "minute"),
    };

    private static string Plural(int count, string unit) => count == 1 ? $"1 {unit}" : $"{count} {unit}s";
}
