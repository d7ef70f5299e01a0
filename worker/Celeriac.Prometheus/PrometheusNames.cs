using System.Text;

namespace Celeriac.Prometheus;

/// <summary>
/// OpenTelemetry-style instrument names and UCUM units to Prometheus names, as the OpenTelemetry
/// specification's Prometheus compatibility rules do: <c>celeriac.task.duration</c> in <c>s</c> becomes
/// <c>celeriac_task_duration_seconds</c>, a counter <c>celeriac.tasks.received</c> becomes <c>celeriac_tasks_received_total</c>.
/// </summary>
public static class PrometheusNames
{
    private static readonly Dictionary<string, string> Units = new(StringComparer.Ordinal)
    {
        ["d"] = "days",
        ["h"] = "hours",
        ["min"] = "minutes",
        ["s"] = "seconds",
        ["ms"] = "milliseconds",
        ["us"] = "microseconds",
        ["ns"] = "nanoseconds",
        ["By"] = "bytes",
        ["KiBy"] = "kibibytes",
        ["MiBy"] = "mebibytes",
        ["GiBy"] = "gibibytes",
        ["KBy"] = "kilobytes",
        ["MBy"] = "megabytes",
        ["GBy"] = "gigabytes",
        ["bit"] = "bits",
        ["%"] = "percent",
        ["Hz"] = "hertz",
    };

    public static string MetricName(string instrumentName, string? unit, MetricKind kind)
    {
        var name = Sanitize(instrumentName, allowColon: true);
        var suffix = UnitSuffix(unit, kind);
        if (suffix.Length > 0 && !name.EndsWith("_" + suffix, StringComparison.Ordinal)) name += "_" + suffix;
        if (kind == MetricKind.Counter && !name.EndsWith("_total", StringComparison.Ordinal)) name += "_total";
        return name;
    }

    public static string LabelName(string key)
    {
        var name = Sanitize(key, allowColon: false);
        return name.Length == 0 ? "_" : name;
    }

    internal static string UnitSuffix(string? unit, MetricKind kind)
    {
        if (string.IsNullOrWhiteSpace(unit)) return "";
        var trimmed = unit.Trim();
        // UCUM annotations such as {task} only say what is counted.
        if (trimmed.StartsWith('{') && trimmed.EndsWith('}')) return "";
        if (trimmed == "1") return kind == MetricKind.Gauge ? "ratio" : "";
        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            var per = trimmed[(slash + 1)..] switch { "s" => "second", "m" => "minute", "h" => "hour", "d" => "day", var other => Unit(other) };
            return Unit(trimmed[..slash]) is { Length: > 0 } of && per.Length > 0 ? $"{of}_per_{per}" : "";
        }
        return Unit(trimmed);
    }

    private static string Unit(string unit) =>
        Units.TryGetValue(unit, out var name) ? name : unit.StartsWith('{') ? "" : Sanitize(unit, allowColon: false).Trim('_');

    private static string Sanitize(string value, bool allowColon)
    {
        var builder = new StringBuilder(value.Length + 1);
        foreach (var c in value)
        {
            var valid = c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_' || (allowColon && c == ':');
            var next = valid ? c : '_';
            // Runs of replaced characters collapse into one underscore.
            if (next == '_' && builder.Length > 0 && builder[^1] == '_') continue;
            builder.Append(next);
        }
        if (builder.Length > 0 && char.IsAsciiDigit(builder[0])) builder.Insert(0, '_');
        return builder.ToString();
    }
}
