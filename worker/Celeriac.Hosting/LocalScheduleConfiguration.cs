using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Celeriac.Scheduling;
using Microsoft.Extensions.Configuration;

namespace Celeriac.Hosting;

/// <summary>
/// Reads <c>Celeriac:Schedules:&lt;name&gt;:{Task, Cron | Interval, TimeZone, Queue, Args, Expires, MissedRunPolicy, StartingDeadline, Suspend}</c>.
/// Durations are TimeSpan strings (<c>00:05:00</c>); Args is a JSON object, either as one JSON string or as a configuration section.
/// </summary>
public static class LocalScheduleConfiguration
{
    public const string SectionName = "Schedules";

    /// <exception cref="FormatException">A schedule is invalid; the message names it and says why.</exception>
    public static IReadOnlyList<ScheduleDefinition> Read(IConfiguration celeriac)
    {
        var schedules = new List<ScheduleDefinition>();
        foreach (var section in celeriac.GetSection(SectionName).GetChildren())
        {
            try
            {
                schedules.Add(Read(section));
            }
            catch (FormatException e)
            {
                throw new FormatException($"Celeriac:Schedules:{section.Key}: {e.Message}", e);
            }
        }
        return schedules;
    }

    private static ScheduleDefinition Read(IConfigurationSection section)
    {
        var task = section["Task"];
        if (string.IsNullOrWhiteSpace(task)) throw new FormatException("Task is required");
        var policy = section["MissedRunPolicy"] switch
        {
            null or "" or "Skip" => MissedRunPolicy.Skip,
            "RunOnce" => MissedRunPolicy.RunOnce,
            var other => throw new FormatException($"MissedRunPolicy '{other}' must be Skip or RunOnce"),
        };
        return new ScheduleDefinition
        {
            Name = section.Key,
            Task = task,
            Recurrence = ScheduleDefinition.ParseRecurrence(section["Cron"], Duration(section, "Interval"), section["TimeZone"]),
            Queue = string.IsNullOrWhiteSpace(section["Queue"]) ? null : section["Queue"],
            Args = Args(section.GetSection("Args")),
            Expires = Duration(section, "Expires"),
            MissedRunPolicy = policy,
            StartingDeadline = Duration(section, "StartingDeadline"),
            Suspend = bool.TryParse(section["Suspend"], out var suspend) && suspend,
        };
    }

    private static TimeSpan? Duration(IConfigurationSection section, string key)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text)) return null;
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value > TimeSpan.Zero
            ? value
            : throw new FormatException($"{key} '{text}' is not a positive TimeSpan like 00:05:00");
    }

    private static JsonObject? Args(IConfigurationSection section)
    {
        if (section.Value is { } json)
        {
            try
            {
                return JsonNode.Parse(json) as JsonObject ?? throw new FormatException("Args must be a JSON object");
            }
            catch (JsonException e)
            {
                throw new FormatException($"Args is not JSON: {e.Message}", e);
            }
        }
        return section.GetChildren().Any() ? (JsonObject)ToNode(section)! : null;
    }

    /// <summary>A configuration section as JSON: numbers, true/false and null as such, everything else a string.</summary>
    private static JsonNode? ToNode(IConfigurationSection section)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            var value = section.Value;
            if (value is null) return null;
            if (value is "true" or "false") return JsonValue.Create(value == "true");
            if (decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)) return JsonValue.Create(number);
            return JsonValue.Create(value);
        }
        var obj = new JsonObject();
        foreach (var child in children) obj[child.Key] = ToNode(child);
        return obj;
    }
}
