using System.Diagnostics;
using System.Reflection;

namespace Fundament.Toolkit;

/// <summary>
/// The <c>Fundament</c> <see cref="ActivitySource"/>: spans for job attempts and database transactions. HTTP
/// server spans come from ASP.NET Core's own activity. Spans are created only while a listener (the OTLP
/// exporter, or any <see cref="ActivityListener"/> an embedding app adds) wants them.
/// </summary>
public static class Tracing
{
    public const string SourceName = "Fundament";

    public static readonly ActivitySource Source = new(SourceName,
        typeof(Tracing).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]);
}
