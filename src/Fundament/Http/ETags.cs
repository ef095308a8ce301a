using Microsoft.AspNetCore.Http;

namespace Fundament.Http;

/// <summary>Conditional requests (RFC 9110 §13): If-Match uses strong comparison, If-None-Match weak.</summary>
public static class ETags
{
    /// <summary>True when an <c>If-Match</c> value allows a write to a resource whose tag is <paramref name="current"/>.</summary>
    public static bool Matches(string ifMatch, string current)
    {
        foreach (var candidate in ifMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (candidate == "*" || (!candidate.StartsWith("W/", StringComparison.Ordinal) && candidate == current))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when an <c>If-None-Match</c> value names <paramref name="current"/> (so a GET can answer 304).</summary>
    public static bool NoneMatchHits(HttpRequest request, string current)
    {
        string header = request.Headers.IfNoneMatch.ToString();
        if (header.Length == 0)
        {
            return false;
        }

        foreach (var candidate in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var tag = candidate.StartsWith("W/", StringComparison.Ordinal) ? candidate[2..] : candidate;
            if (tag == "*" || tag == current)
            {
                return true;
            }
        }

        return false;
    }
}
