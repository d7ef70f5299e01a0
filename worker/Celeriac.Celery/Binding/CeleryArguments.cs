using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Celeriac.Envelope;

namespace Celeriac.Celery.Binding;

/// <summary>
/// Between Celery's calling convention (positional <c>args</c> and keyword <c>kwargs</c>) and Celeriac's (one argument
/// record as a JSON object). A record binds positional args in its declared order (its constructor's parameters, else
/// its properties) and keyword args by name, where <c>user_id</c>, <c>userId</c> and <c>UserId</c> are one name. Mistakes
/// are reported in Python's words (too many arguments, an unexpected keyword, a value given twice).
/// </summary>
public static class CeleryArguments
{
    private static readonly ConcurrentDictionary<Type, Shape> Shapes = new();

    /// <summary>The JSON a task taking <paramref name="argsType"/> is bound from; throws <see cref="ArgumentBindingException"/> when the call cannot fit it.</summary>
    public static JsonElement ToArgs(Type argsType, JsonArray args, JsonObject kwargs)
    {
        ArgumentNullException.ThrowIfNull(argsType);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(kwargs);
        var shape = Shapes.GetOrAdd(argsType, Describe);
        JsonNode? bound;
        if (shape.Parameters is { } parameters)
        {
            if (args.Count > parameters.Count)
                throw new ArgumentBindingException($"{argsType.Name} takes {parameters.Count} positional argument{(parameters.Count == 1 ? "" : "s")} but {args.Count} were given");
            var record = new JsonObject();
            for (var i = 0; i < args.Count; i++) record[parameters[i].JsonName] = args[i]?.DeepClone();
            foreach (var (name, value) in kwargs)
            {
                var parameter = parameters.FirstOrDefault(p => p.JsonName == name)
                    ?? parameters.FirstOrDefault(p => p.Key == Key(name))
                    ?? throw new ArgumentBindingException($"{argsType.Name} got an unexpected keyword argument '{Cut(name)}'");
                if (record.ContainsKey(parameter.JsonName))
                    throw new ArgumentBindingException($"{argsType.Name} got multiple values for argument '{Cut(name)}'");
                record[parameter.JsonName] = value?.DeepClone();
            }
            bound = record;
        }
        else if (shape.Kind == JsonTypeInfoKind.Dictionary && args.Count == 0)
        {
            bound = kwargs.DeepClone();
        }
        else if (kwargs.Count > 0)
        {
            throw new ArgumentBindingException($"{argsType.Name} takes no keyword arguments");
        }
        else if (args.Count == 1)
        {
            bound = args[0]?.DeepClone();
        }
        else if (shape.Kind == JsonTypeInfoKind.Enumerable)
        {
            bound = args.DeepClone();
        }
        else
        {
            throw new ArgumentBindingException($"{argsType.Name} takes 1 positional argument but {args.Count} were given");
        }
        return JsonSerializer.SerializeToElement(bound, EnvelopeSerializer.ArgsOptions);
    }

    /// <summary>
    /// Celery's args and kwargs for Celeriac's args: a JSON object becomes keyword args by its property names, an array
    /// positional args, any other value the one positional arg, nothing no args at all.
    /// </summary>
    public static (JsonArray Args, JsonObject Kwargs) FromArgs(JsonElement args) => args.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => ([], []),
        JsonValueKind.Object => ([], JsonObject.Create(args.Clone())!),
        JsonValueKind.Array => (JsonArray.Create(args.Clone())!, []),
        _ => ([JsonValue.Create(args.Clone())], []),
    };

    /// <summary>The name of a keyword argument without case and separators: <c>user_id</c>, <c>userId</c>, <c>UserId</c> are all <c>userid</c>.</summary>
    private static string Key(string name) => new([.. name.Where(c => c is not '_' and not '-').Select(char.ToLowerInvariant)]);

    private static string Cut(string name) => name.Length <= 100 ? name : name[..100] + "…";

    private sealed record Parameter(string JsonName, string Key);

    private sealed record Shape(JsonTypeInfoKind Kind, IReadOnlyList<Parameter>? Parameters);

    private static Shape Describe(Type type)
    {
        var info = EnvelopeSerializer.ArgsOptions.GetTypeInfo(type);
        if (info.Kind != JsonTypeInfoKind.Object) return new Shape(info.Kind, null);
        // Positional order: the constructor's parameters first (a record's primary constructor), then the other properties as declared.
        var ordered = info.Properties
            .Select((property, index) => (property, index))
            .OrderBy(p => p.property.AssociatedParameter?.Position ?? int.MaxValue)
            .ThenBy(p => p.index)
            .Select(p => new Parameter(p.property.Name, Key((p.property.AttributeProvider as MemberInfo)?.Name ?? p.property.Name)))
            .ToList();
        return new Shape(info.Kind, ordered);
    }
}

/// <summary>A Celery call that does not fit the task's argument record; the message is dead-lettered with this text.</summary>
public sealed class ArgumentBindingException(string message) : Exception(message);
