namespace Fundament.Toolkit;

/// <summary>Record ids: UUIDv7 (time-ordered, so ids sort by creation) in lower-case canonical text.</summary>
public static class Uuids
{
    public static string NewV7() => Guid.CreateVersion7().ToString("D");

    /// <summary>Accepts any UUID spelling .NET parses and returns the canonical lower-case form.</summary>
    public static bool TryNormalize(string text, out string canonical)
    {
        if (text.Length is >= 32 and <= 38 && Guid.TryParse(text, out var guid))
        {
            canonical = guid.ToString("D");
            return true;
        }

        canonical = string.Empty;
        return false;
    }
}
