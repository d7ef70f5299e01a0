using System.Text.Json;
using Celeriac.Envelope;

namespace Celeriac.Results;

/// <summary>
/// Task results as JSON: the one place they are written and read, with the options task arguments use (a chain passes
/// a step's result on as the next step's arguments).
/// </summary>
public static class ResultJson
{
    public static string Serialize(object? value, Type? type) =>
        type is null ? "null" : JsonSerializer.Serialize(value, type, EnvelopeSerializer.ArgsOptions);

    public static T? Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, EnvelopeSerializer.ArgsOptions);
}
