using System.Text.Json;
using System.Text.Json.Serialization;

namespace Celeriac.Envelope;

/// <summary>JSON (and only JSON) encoding of envelopes and task arguments.</summary>
public static class EnvelopeSerializer
{
    /// <summary>Options for task arguments and results: camelCase, and strict binding so bad args are rejected, not defaulted.</summary>
    public static JsonSerializerOptions ArgsOptions { get; } = CreateArgsOptions();

    private static JsonSerializerOptions CreateArgsOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static byte[] Serialize(TaskEnvelope envelope) =>
        JsonSerializer.SerializeToUtf8Bytes(envelope, EnvelopeJsonContext.Default.TaskEnvelope);

    /// <summary>Parses an envelope; throws <see cref="InvalidEnvelopeException"/> with a reason when it cannot.</summary>
    public static TaskEnvelope Deserialize(ReadOnlySpan<byte> body)
    {
        TaskEnvelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize(body, EnvelopeJsonContext.Default.TaskEnvelope);
        }
        catch (JsonException ex)
        {
            throw new InvalidEnvelopeException($"unparseable envelope: {ex.Message}", ex);
        }
        if (envelope is null)
            throw new InvalidEnvelopeException("unparseable envelope: body is JSON null");
        if (envelope.Version < 1 || (envelope.Version > TaskEnvelope.CurrentVersion && (envelope.MinReaderVersion ?? envelope.Version) > TaskEnvelope.CurrentVersion))
            throw new InvalidEnvelopeException($"unsupported envelope version {envelope.Version} (this worker reads version {TaskEnvelope.CurrentVersion})");
        if (string.IsNullOrEmpty(envelope.Id) || string.IsNullOrEmpty(envelope.Task) || string.IsNullOrEmpty(envelope.Queue))
            throw new InvalidEnvelopeException("envelope lacks id, task or queue");
        return envelope;
    }

    public static JsonElement SerializeArgs<T>(T args) => JsonSerializer.SerializeToElement(args, ArgsOptions);

    public static JsonElement SerializeArgs(object? args, Type type) => JsonSerializer.SerializeToElement(args, type, ArgsOptions);
}

public sealed class InvalidEnvelopeException(string message, Exception? inner = null) : Exception(message, inner);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TaskEnvelope))]
internal sealed partial class EnvelopeJsonContext : JsonSerializerContext;
