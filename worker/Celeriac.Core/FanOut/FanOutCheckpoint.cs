using System.Text.Json.Serialization;

namespace Celeriac.FanOut;

/// <summary>The saved progress of a fan-out: the source position after the last sent chunk, items sent so far, and whether it is done.</summary>
internal sealed record FanOutCheckpoint(
    [property: JsonPropertyName("position")] string? Position,
    [property: JsonPropertyName("sent")] long Sent,
    [property: JsonPropertyName("done")] bool Done);

[JsonSerializable(typeof(FanOutCheckpoint))]
internal sealed partial class FanOutJson : JsonSerializerContext;
