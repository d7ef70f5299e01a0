using System.Text.Json.Nodes;
using Celeriac.Celery.Protocol;
using Celeriac.Tasks;
using Celeriac.TimeLimits;

namespace Celeriac.Celery.Results;

/// <summary>
/// Exceptions in Celery's JSON form, <c>{"exc_type", "exc_message", "exc_module"}</c>: Python rebuilds an exception of
/// that type name with those args (a class of that name when the module is not one it has loaded). A .NET exception
/// gives its type name, its namespace as module and its message as the one arg; the time-limit exceptions become
/// Celery's own (billiard's <c>SoftTimeLimitExceeded</c> and <c>TimeLimitExceeded</c>), so Python code that catches
/// those catches them from .NET tasks too.
/// </summary>
public static class CeleryException
{
    public static JsonObject From(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            SoftTimeLimitExceededException => Create("SoftTimeLimitExceeded", "billiard.exceptions", exception.Message),
            HardTimeLimitExceededException => Create("TimeLimitExceeded", "billiard.exceptions", exception.Message),
            _ => Create(exception.GetType().Name, exception.GetType().Namespace, exception.Message),
        };
    }

    /// <summary>A failure known only by a type name such as <c>Celeriac.DeadLettered</c>: the part after the last dot is the type.</summary>
    public static JsonObject FromName(string typeName, string message)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        var dot = typeName.LastIndexOf('.');
        return dot < 0 ? Create(typeName, null, message) : Create(typeName[(dot + 1)..], typeName[..dot], message);
    }

    public static JsonObject Create(string type, string? module, string message) => new()
    {
        ["exc_type"] = type,
        ["exc_message"] = new JsonArray(message),
        ["exc_module"] = module,
    };

    /// <summary>The exception's type as a qualified name (<c>builtins.ValueError</c>, <c>System.InvalidOperationException</c>), from a stored exception.</summary>
    public static string TypeName(JsonNode? stored)
    {
        var type = CeleryJson.String(stored?["exc_type"]) ?? "Exception";
        var module = CeleryJson.String(stored?["exc_module"]);
        return string.IsNullOrEmpty(module) ? type : module + "." + type;
    }

    /// <summary>The exception's message: its args as Python would print them joined, a lone string arg as it is.</summary>
    public static string Message(JsonNode? stored) => stored?["exc_message"] switch
    {
        JsonArray { Count: 1 } one when CeleryJson.String(one[0]) is { } text => text,
        JsonArray many => string.Join(", ", many.Select(a => CeleryJson.String(a) ?? CeleryJson.ToText(a))),
        JsonValue single when CeleryJson.String(single) is { } text => text,
        null => "",
        var other => CeleryJson.ToText(other),
    };

    /// <summary>How Python's <c>repr</c> shows the exception, e.g. <c>ValueError('boom')</c> (for chord errors).</summary>
    public static string Repr(JsonNode? stored)
    {
        var type = CeleryJson.String(stored?["exc_type"]) ?? "Exception";
        var args = stored?["exc_message"] switch
        {
            JsonArray many => string.Join(", ", many.Select(Quote)),
            var single => Quote(single),
        };
        return $"{type}({args})";

        static string Quote(JsonNode? node) => CeleryJson.String(node) is { } text ? "'" + text.Replace("'", "\\'", StringComparison.Ordinal) + "'" : CeleryJson.ToText(node);
    }
}
