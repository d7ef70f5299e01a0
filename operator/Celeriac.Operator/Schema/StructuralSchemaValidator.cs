using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Celeriac.Operator.Schema;

/// <summary>
/// Validates a JSON value against a CRD's structural OpenAPI v3 schema with the API server's rules for the
/// keywords the TaskQueue CRD uses: type, required, properties (unknown fields are errors here, where the API
/// server would prune them silently), additionalProperties, x-kubernetes-preserve-unknown-fields,
/// x-kubernetes-int-or-string, enum, minimum/maximum, minLength/maxLength, pattern, minItems/maxItems,
/// maxProperties, list-type map/set uniqueness. CEL rules (x-kubernetes-validations) are not evaluated;
/// the operator's validator checks the same rules. Used by <c>render</c> (strict, as <c>kubectl apply</c> with
/// server-side field validation) and by the tests that keep the CRD, the examples and the model in step.
/// </summary>
public static class StructuralSchemaValidator
{
    /// <returns>Each problem with the JSON path it is at (<c>$.spec.pools[0].concurency</c>).</returns>
    public static List<SchemaError> Validate(JsonNode? value, JsonObject schema, string path = "")
    {
        var errors = new Errors();
        Check(value, schema, path.Length == 0 ? "$" : path, errors);
        return errors.Found;
    }

    private sealed class Errors
    {
        public List<SchemaError> Found { get; } = [];

        public void Add(string path, string message) => Found.Add(new SchemaError(path, message));
    }

    private static void Check(JsonNode? value, JsonObject schema, string path, Errors errors)
    {
        if (value is null)
        {
            if (schema["nullable"]?.GetValue<bool>() != true) errors.Add(path, $"null is not allowed");
            return;
        }
        var intOrString = schema["x-kubernetes-int-or-string"]?.GetValue<bool>() == true;
        var type = schema["type"]?.GetValue<string>();
        if (intOrString)
        {
            if (!(IsInteger(value) || IsString(value))) errors.Add(path, $"an integer or a string is expected");
        }
        else if (type is not null && !HasType(value, type))
        {
            errors.Add(path, $"{type} is expected, found {value.GetValueKind()}");
            return;
        }

        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
            errors.Add(path, $"'{value}' is not one of {allowed.ToJsonString()}");

        if (IsString(value))
        {
            var s = value.GetValue<string>();
            if (schema["minLength"]?.GetValue<int>() is { } min && s.Length < min) errors.Add(path, $"shorter than {min}");
            if (schema["maxLength"]?.GetValue<int>() is { } max && s.Length > max) errors.Add(path, $"longer than {max}");
            if (schema["pattern"]?.GetValue<string>() is { } pattern && !Regex.IsMatch(s, pattern)) errors.Add(path, $"'{s}' does not match {pattern}");
        }
        if (value is JsonValue number && (type is "integer" or "number") && HasType(value, "number"))
        {
            var d = number.GetValue<double>();
            if (schema["minimum"]?.GetValue<double>() is { } min && d < min) errors.Add(path, $"below {min}");
            if (schema["maximum"]?.GetValue<double>() is { } max && d > max) errors.Add(path, $"above {max}");
        }
        if (value is JsonArray array)
        {
            if (schema["minItems"]?.GetValue<int>() is { } min && array.Count < min) errors.Add(path, $"fewer than {min} items");
            if (schema["maxItems"]?.GetValue<int>() is { } max && array.Count > max) errors.Add(path, $"more than {max} items");
            var items = schema["items"] as JsonObject;
            for (var i = 0; i < array.Count; i++) if (items is not null) Check(array[i], items, $"{path}[{i}]", errors);
            switch (schema["x-kubernetes-list-type"]?.GetValue<string>())
            {
                case "map":
                    var keys = schema["x-kubernetes-list-map-keys"]!.AsArray().Select(k => k!.GetValue<string>()).ToList();
                    var seen = new HashSet<string>();
                    foreach (var item in array)
                    {
                        var key = string.Join("|", keys.Select(k => item?[k]?.ToJsonString()));
                        if (!seen.Add(key)) errors.Add(path, $"duplicate entry with key {key}");
                    }
                    break;
                case "set":
                    var values = new HashSet<string>();
                    foreach (var item in array) if (!values.Add(item?.ToJsonString() ?? "null")) errors.Add(path, $"duplicate value {item}");
                    break;
            }
        }
        if (value is JsonObject obj)
        {
            if (schema["maxProperties"]?.GetValue<int>() is { } maxProps && obj.Count > maxProps) errors.Add(path, $"more than {maxProps} properties");
            foreach (var required in schema["required"]?.AsArray() ?? [])
            {
                if (!obj.ContainsKey(required!.GetValue<string>())) errors.Add(path, $"'{required}' is required");
            }
            var properties = schema["properties"] as JsonObject;
            var additional = schema["additionalProperties"] as JsonObject;
            var preserve = schema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true;
            foreach (var (key, child) in obj)
            {
                if (properties?[key] is JsonObject propertySchema) Check(child, propertySchema, $"{path}.{key}", errors);
                else if (additional is not null) Check(child, additional, $"{path}.{key}", errors);
                else if (!preserve && properties is not null) errors.Add($"{path}.{key}", "unknown field");
            }
        }
    }

    private static bool IsString(JsonNode value) => value.GetValueKind() == System.Text.Json.JsonValueKind.String;

    private static bool IsInteger(JsonNode value) =>
        value.GetValueKind() == System.Text.Json.JsonValueKind.Number && Math.Abs(value.GetValue<double>() % 1) == 0;

    private static bool HasType(JsonNode value, string type) => type switch
    {
        "object" => value is JsonObject,
        "array" => value is JsonArray,
        "string" => IsString(value),
        "boolean" => value.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False,
        "integer" => IsInteger(value),
        "number" => value.GetValueKind() == System.Text.Json.JsonValueKind.Number,
        _ => false,
    };
}

/// <summary>A schema violation: where (a JSON path from <c>$</c>) and what.</summary>
public sealed record SchemaError(string Path, string Message)
{
    /// <summary>The path as kubectl names a field (<c>spec.pools[0].concurrency</c>).</summary>
    public string Field => Path.StartsWith("$.", StringComparison.Ordinal) ? Path[2..] : Path;

    public override string ToString() => $"{Field}: {Message}";
}
