namespace Fundament.Rules;

/// <summary>
/// The value side of <c>~</c>: the dialects wrap it in <c>%…%</c> with <c>ESCAPE '\'</c>, so the
/// value's own <c>\</c>, <c>%</c> and <c>_</c> are escaped to match literally.
/// </summary>
internal static class LikePattern
{
    public static string Escape(string value)
    {
        if (value.AsSpan().IndexOfAny('\\', '%', '_') < 0)
        {
            return value;
        }

        var escaped = new System.Text.StringBuilder(value.Length + 8);
        foreach (char c in value)
        {
            if (c is '\\' or '%' or '_')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }
}
