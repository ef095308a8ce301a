using System.Collections;
using Microsoft.Extensions.Configuration;

namespace Fundament;

/// <summary>Maps <c>FUNDAMENT_*</c> environment variables onto the <c>Fundament</c> configuration section.</summary>
public static class FundamentConfiguration
{
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["DB"] = nameof(FundamentOptions.Database),
        ["DIR"] = nameof(FundamentOptions.DataDirectory),
        ["DATA_DIR"] = nameof(FundamentOptions.DataDirectory),
    };

    /// <summary>
    /// Adds the variables: <c>FUNDAMENT_DB</c>, <c>FUNDAMENT_DIR</c>, and every other
    /// <c>FUNDAMENT_SOME_NAME</c> as <c>Fundament:SomeName</c> (for example <c>FUNDAMENT_ADMIN_KEY</c>).
    /// </summary>
    public static IConfigurationBuilder AddFundamentEnvironment(this IConfigurationBuilder builder, IDictionary? environment = null)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in environment ?? Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && key.StartsWith("FUNDAMENT_", StringComparison.OrdinalIgnoreCase) && key.Length > 10)
            {
                string name = key[10..];
                values[$"{FundamentOptions.Section}:{(Aliases.TryGetValue(name, out var alias) ? alias : PascalCase(name))}"] = entry.Value as string;
            }
        }

        return builder.AddInMemoryCollection(values);
    }

    private static string PascalCase(string snake) =>
        string.Concat(snake.Split('_', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => char.ToUpperInvariant(part[0]) + part[1..].ToLowerInvariant()));
}
