using System.Text.Json;
using System.Text.Json.Serialization;
using Fundament.Collections;

namespace Fundament.Http;

/// <summary>Source-generated JSON for every system type; no reflection fallback.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    RespectNullableAnnotations = true,
    AllowOutOfOrderMetadataProperties = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(ErrorEnvelope))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(CollectionDefinition))]
[JsonSerializable(typeof(Envelope<CollectionDefinition>))]
[JsonSerializable(typeof(Envelope<IReadOnlyList<CollectionDefinition>>))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(Fundament.Migrations.MigrationDocument))]
internal sealed partial class AppJsonContext : JsonSerializerContext
{
    /// <summary>The same contract, indented: for files people read (migrations).</summary>
    public static AppJsonContext Indented => field ??= new(new JsonSerializerOptions(AppJsonContext.Default!.Options) { WriteIndented = true });
}
