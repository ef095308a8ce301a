using System.Security.Cryptography;
using Fundament.Collections;
using Fundament.Http;
using Fundament.Jobs;

namespace Fundament.OpenApi;

/// <summary>
/// Keeps the document of the latest schema version, so only the first request after a schema change
/// writes it. Versions are comparable only within one <see cref="SchemaRegistry"/>: one cache per app. The job
/// types are fixed once the app is built, so they need no part in the key.
/// </summary>
internal sealed class OpenApiDocumentCache
{
    private sealed record Entry(long Version, byte[] Bytes, string ETag);

    private Entry? _entry;

    /// <summary>The document for <paramref name="schema"/>, with an ETag so clients can revalidate with If-None-Match.</summary>
    public JsonBytesResult Get(SchemaSnapshot schema, FundamentOptions options, JobHandlers handlers)
    {
        var entry = Volatile.Read(ref _entry);
        if (entry is null || entry.Version != schema.Version)
        {
            // Two requests racing after a change both write it; the result is the same, so either may win.
            byte[] bytes = OpenApiDocument.Write(schema, options, [.. handlers.Types]);
            entry = new Entry(schema.Version, bytes, "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 16)) + "\"");
            Volatile.Write(ref _entry, entry);
        }

        return new JsonBytesResult(200, entry.Bytes, entry.ETag);
    }
}
