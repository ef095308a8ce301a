namespace Fundament.OpenApi;

/// <summary>The interactive docs page: one self-contained HTML file embedded in the library (no CDN, no external assets).</summary>
internal static class DocsPage
{
    private const string ResourceSuffix = ".OpenApi.docs.html";

    // The page reads /openapi.json with fetch and calls the API on the same origin; nothing else may load or run.
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static readonly byte[] Html = Load();

    private static byte[] Load()
    {
        var assembly = typeof(DocsPage).Assembly;
        string name = assembly.GetManifestResourceNames().Single(resource => resource.EndsWith(ResourceSuffix, StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
