using System.Globalization;

namespace Fundament.Http.RateLimiting;

/// <summary>
/// Where a Redis server is and how to sign in to it, from <c>redis://[[user]:password@]host[:port][/db]</c>
/// (<c>rediss://</c> for TLS) or a plain <c>host[:port]</c>.
/// </summary>
public sealed record RedisEndpoint(string Host, int Port, string? User, string? Password, int Database, bool Tls)
{
    public const int DefaultPort = 6379;

    public static bool TryParse(string text, out RedisEndpoint endpoint, out string error)
    {
        endpoint = null!;
        text = text.Trim();
        if (text.Contains("://", StringComparison.Ordinal))
        {
            return TryParseUrl(text, out endpoint, out error);
        }

        // host, host:port, [v6] or [v6]:port; a bare v6 address has several colons and no port.
        string host = text;
        string? port = null;
        if (text.StartsWith('[') && text.IndexOf(']', StringComparison.Ordinal) is > 0 and var close)
        {
            host = text[1..close];
            port = text[(close + 1)..] is [':', .. var after] ? after : null;
        }
        else if (text.IndexOf(':', StringComparison.Ordinal) is > 0 and var colon && colon == text.LastIndexOf(':'))
        {
            host = text[..colon];
            port = text[(colon + 1)..];
        }

        int number = DefaultPort;
        if (port is not null && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out number) || number is < 1 or > 65535))
        {
            error = $"'{text}' has no valid port";
            return false;
        }

        if (host.Length == 0 || host.AsSpan().ContainsAny(",/@ "))
        {
            error = $"'{text}' is not host[:port] or redis://[[user]:password@]host[:port][/db]";
            return false;
        }

        endpoint = new RedisEndpoint(host, number, null, null, 0, Tls: false);
        error = string.Empty;
        return true;
    }

    private static bool TryParseUrl(string text, out RedisEndpoint endpoint, out string error)
    {
        endpoint = null!;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss") || uri.DnsSafeHost.Length == 0)
        {
            error = $"'{Redact(text)}' is not redis://[[user]:password@]host[:port][/db]";
            return false;
        }

        int database = 0;
        string path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0 && (!int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out database) || database > 1000))
        {
            error = $"'{Redact(text)}': the path must be a database number";
            return false;
        }

        string? user = null;
        string? password = null;
        if (uri.UserInfo.Length > 0)
        {
            int colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            password = colon < 0 ? null : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            user = user.Length == 0 ? null : user;
        }

        endpoint = new RedisEndpoint(uri.DnsSafeHost, uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port, user, password, database, uri.Scheme == "rediss");
        error = string.Empty;
        return true;
    }

    /// <summary>The endpoint for logs: never the password.</summary>
    public override string ToString() => $"{(Tls ? "rediss" : "redis")}://{Host}:{Port.ToString(CultureInfo.InvariantCulture)}/{Database.ToString(CultureInfo.InvariantCulture)}";

    private static string Redact(string text) => text.Contains('@', StringComparison.Ordinal) ? text[..(text.IndexOf("://", StringComparison.Ordinal) + 3)] + "…@" + text[(text.LastIndexOf('@') + 1)..] : text;
}
