using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Celeriac.Operator.Yaml;

/// <summary>
/// YAML to JSON nodes and back, with YAML 1.2 core-schema scalars (so <c>"85"</c> stays a string and
/// <c>85</c> becomes a number), which is how the API server reads manifests.
/// </summary>
public static partial class YamlJson
{
    public static IReadOnlyList<JsonNode> ParseDocuments(string yaml) =>
        [.. ParseDocumentsWithPositions(yaml).Select(d => d.Node).OfType<JsonNode>()];

    /// <summary>
    /// Every document of a YAML stream (an empty one as a null node), with where each value stands in the text:
    /// the line and column of each JSON path (<c>$.spec.pools[0].concurrency</c>; a mapping member's position is
    /// its key's), so that errors found in the JSON can name a line.
    /// </summary>
    public static IReadOnlyList<PositionedDocument> ParseDocumentsWithPositions(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var documents = new List<PositionedDocument>();
        foreach (var document in stream.Documents)
        {
            var positions = new Dictionary<string, TextPosition>(StringComparer.Ordinal);
            var node = ToNode(document.RootNode, "$", positions);
            // Re-parsed from JSON text so numbers read as any numeric type, as nodes parsed from the API do.
            documents.Add(new PositionedDocument(node is null ? null : JsonNode.Parse(node.ToJsonString()), Position(document.RootNode), positions));
        }
        return documents;
    }

    public static JsonNode ParseSingle(string yaml)
    {
        var documents = ParseDocuments(yaml);
        return documents.Count == 1 ? documents[0] : throw new FormatException($"one YAML document is expected, found {documents.Count}");
    }

    public static string ToYaml(IEnumerable<JsonNode> documents)
    {
        var writer = new StringWriter { NewLine = "\n" };
        var emitter = new Emitter(writer, new EmitterSettings(2, int.MaxValue, false, 1024, true, true, "\n"));
        emitter.Emit(new StreamStart());
        foreach (var document in documents)
        {
            emitter.Emit(new DocumentStart(null, null, isImplicit: false));
            Emit(emitter, document);
            emitter.Emit(new DocumentEnd(isImplicit: true));
        }
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    private static TextPosition Position(YamlNode node) => new((int)node.Start.Line, (int)node.Start.Column);

    private static JsonNode? ToNode(YamlNode node, string path, Dictionary<string, TextPosition> positions)
    {
        positions.TryAdd(path, Position(node));
        return node switch
        {
            YamlMappingNode map => ToObject(map, path, positions),
            YamlSequenceNode seq => new JsonArray([.. seq.Children.Select((child, i) => ToNode(child, $"{path}[{i}]", positions))]),
            YamlScalarNode scalar => ToScalar(scalar),
            _ => throw new FormatException($"unsupported YAML node at line {node.Start.Line}, column {node.Start.Column}"),
        };
    }

    private static JsonObject ToObject(YamlMappingNode map, string path, Dictionary<string, TextPosition> positions)
    {
        var obj = new JsonObject();
        foreach (var (key, value) in map.Children)
        {
            var name = key is YamlScalarNode s ? s.Value ?? "" : throw new FormatException($"map keys must be scalars (line {key.Start.Line}, column {key.Start.Column})");
            if (obj.ContainsKey(name)) throw new FormatException($"line {key.Start.Line}, column {key.Start.Column}: the key '{name}' appears twice");
            positions[$"{path}.{name}"] = Position(key);
            obj[name] = ToNode(value, $"{path}.{name}", positions);
        }
        return obj;
    }

    private static JsonNode? ToScalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain || (!scalar.Tag.IsEmpty && !scalar.Tag.IsNonSpecific && scalar.Tag.Value == "tag:yaml.org,2002:str")) return JsonValue.Create(text);
        if (text is "" or "~" or "null" or "Null" or "NULL") return null;
        if (text is "true" or "True" or "TRUE") return JsonValue.Create(true);
        if (text is "false" or "False" or "FALSE") return JsonValue.Create(false);
        if (IntegerPattern().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
        if (FloatPattern().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return JsonValue.Create(d);
        return JsonValue.Create(text);
    }

    private static void Emit(IEmitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case null:
                emitter.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, true, false));
                break;
            case JsonObject obj:
                emitter.Emit(new MappingStart(null, null, false, obj.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var (key, value) in obj)
                {
                    EmitString(emitter, key);
                    Emit(emitter, value);
                }
                emitter.Emit(new MappingEnd());
                break;
            case JsonArray array:
                emitter.Emit(new SequenceStart(null, null, false, array.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in array) Emit(emitter, item);
                emitter.Emit(new SequenceEnd());
                break;
            case JsonValue value when value.TryGetValue<string>(out var s):
                EmitString(emitter, s);
                break;
            case JsonValue value when value.TryGetValue<bool>(out var b):
                emitter.Emit(new Scalar(null, null, b ? "true" : "false", ScalarStyle.Plain, true, false));
                break;
            default:
                emitter.Emit(new Scalar(null, null, node.ToJsonString(), ScalarStyle.Plain, true, false));
                break;
        }
    }

    private static void EmitString(IEmitter emitter, string s)
    {
        var style = SafePlainPattern().IsMatch(s) && ToScalar(new YamlScalarNode(s) { Style = ScalarStyle.Plain }) is JsonValue v && v.TryGetValue<string>(out _)
            && !ReservedWords.Contains(s)
            ? ScalarStyle.Plain : ScalarStyle.DoubleQuoted;
        emitter.Emit(new Scalar(null, null, s, style, true, true));
    }

    // YAML 1.1 readers (still common) take these as booleans.
    private static readonly FrozenSet<string> ReservedWords = new[] { "y", "n", "yes", "no", "on", "off" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_/][A-Za-z0-9_./@+-]*$")]
    private static partial Regex SafePlainPattern();
}

/// <summary>A line and column of a YAML text, both from 1.</summary>
public readonly record struct TextPosition(int Line, int Column);

/// <summary>One YAML document as JSON, with the position of each JSON path in the text.</summary>
public sealed record PositionedDocument(JsonNode? Node, TextPosition Start, IReadOnlyDictionary<string, TextPosition> Positions)
{
    /// <summary>Where a path stands, or its nearest parent that has a position (a missing member: the object that lacks it).</summary>
    public TextPosition PositionOf(string path)
    {
        for (var current = path; current.Length > 0;)
        {
            if (Positions.TryGetValue(current, out var position)) return position;
            var cut = Math.Max(current.LastIndexOf('.'), current.LastIndexOf('['));
            if (cut <= 0) break;
            current = current[..cut];
        }
        return Start;
    }
}
