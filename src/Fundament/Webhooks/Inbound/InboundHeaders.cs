using Microsoft.AspNetCore.Http;

namespace Fundament.Webhooks.Inbound;

internal static class InboundHeaders
{
    /// <summary>
    /// Reads a header that must occur once. A repeated header is malformed rather than joined: a proxy
    /// joining with commas would corrupt the comma-structured signature headers, and two values leave it
    /// ambiguous which one was meant.
    /// </summary>
    public static SignatureStatus TryGetSingle(IHeaderDictionary headers, string name, out string value)
    {
        var values = headers[name];
        value = values.Count == 1 ? values[0] ?? string.Empty : string.Empty;
        return values.Count switch
        {
            0 => SignatureStatus.MissingHeader,
            1 => value.Length == 0 ? SignatureStatus.MissingHeader : SignatureStatus.Valid,
            _ => SignatureStatus.MalformedHeader,
        };
    }
}
