using System.Text.Json.Nodes;

namespace Celeriac.Operator.Model;

public sealed class ScheduleSpec
{
    public string Name { get; set; } = "";
    public string Task { get; set; } = "";
    public string Cron { get; set; } = "";
    public string? TimeZone { get; set; }
    public string? Queue { get; set; }
    public JsonObject? Args { get; set; }
    public bool? Suspend { get; set; }
}
