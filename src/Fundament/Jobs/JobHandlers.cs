using System.Collections.Frozen;

namespace Fundament.Jobs;

/// <summary>The job types this process can run, by name.</summary>
public sealed class JobHandlers(IEnumerable<IJobHandler> handlers)
{
    private readonly FrozenDictionary<string, IJobHandler> _byType = handlers.ToFrozenDictionary(h => h.Type, StringComparer.Ordinal);

    public IJobHandler? Find(string type) => _byType.GetValueOrDefault(type);

    public IEnumerable<string> Types => _byType.Keys.Order(StringComparer.Ordinal);
}
