using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fundament.Http;

namespace Fundament.Migrations;

/// <summary>
/// A migration in the data directory's <c>migrations</c> folder: <c>&lt;unix-time&gt;_&lt;name&gt;.json</c>
/// (a <see cref="MigrationDocument"/>) or <c>.sql</c> with <c>-- migrate:up</c> and <c>-- migrate:down</c>
/// sections. Its checksum is the SHA-256 of the file; an applied file must never change.
/// </summary>
public sealed partial record MigrationFile(string Name, string Content, string Checksum, bool IsSql)
{
    public const string UpMarker = "-- migrate:up";
    public const string DownMarker = "-- migrate:down";

    [GeneratedRegex(@"^\d{10,}_[A-Za-z0-9_\-]{1,100}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("[^a-z0-9_]+")]
    private static partial Regex SlugPattern();

    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    /// <summary>Turns free text into the name part of a file: "Add posts!" → "add_posts".</summary>
    public static string Slug(string text)
    {
        var slug = SlugPattern().Replace(text.ToLowerInvariant(), "_").Trim('_');
        return slug.Length == 0 ? "migration" : slug[..Math.Min(slug.Length, 80)];
    }

    public static string ChecksumOf(string content) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));

    public static MigrationFile FromContent(string name, string content, bool isSql) =>
        new(name, content, ChecksumOf(content), isSql);

    /// <summary>Lists the folder's migrations in name order; other files are ignored.</summary>
    public static List<MigrationFile> ReadFolder(string folder)
    {
        var files = new List<MigrationFile>();
        if (!Directory.Exists(folder))
        {
            return files;
        }

        foreach (var path in Directory.EnumerateFiles(folder))
        {
            string extension = Path.GetExtension(path);
            string name = Path.GetFileNameWithoutExtension(path);
            if ((extension == ".json" || extension == ".sql") && IsValidName(name))
            {
                files.Add(FromContent(name, File.ReadAllText(path, Encoding.UTF8), extension == ".sql"));
            }
        }

        files.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return files;
    }

    /// <summary>The steps of one direction, or a 400 explaining why the file cannot be read.</summary>
    public Outcome<IReadOnlyList<MigrationStep>> Steps(bool up)
    {
        if (IsSql)
        {
            int upAt = Content.IndexOf(UpMarker, StringComparison.Ordinal);
            int downAt = Content.IndexOf(DownMarker, StringComparison.Ordinal);
            if (upAt < 0)
            {
                return ApiError.BadRequest($"Migration {Name} has no '{UpMarker}' section");
            }

            string section = up
                ? Content[(upAt + UpMarker.Length)..(downAt > upAt ? downAt : Content.Length)]
                : downAt < 0 ? string.Empty : Content[(downAt + DownMarker.Length)..(upAt > downAt ? upAt : Content.Length)];
            return string.IsNullOrWhiteSpace(section)
                ? Array.Empty<MigrationStep>()
                : new[] { new MigrationStep { Op = MigrationStep.Sql, Statement = section.Trim() } };
        }

        try
        {
            var document = JsonSerializer.Deserialize(Content, AppJsonContext.Default.MigrationDocument);
            return document is null
                ? ApiError.BadRequest($"Migration {Name} is empty")
                : Outcome<IReadOnlyList<MigrationStep>>.From(up ? document.Up : document.Down);
        }
        catch (JsonException ex)
        {
            return ApiError.BadRequest($"Migration {Name} is not valid JSON: {ex.Message}");
        }
    }
}
