using System.Text.Json.Nodes;

namespace Celeriac.Operator.Model;

public sealed class ScheduleSpec
{
    public string Name { get; set; } = "";
    public string Task { get; set; } = "";

    /// <summary>Five fields or a @macro; exactly one of <see cref="Cron"/> and <see cref="Interval"/>.</summary>
    public string? Cron { get; set; }
    public string? Interval { get; set; }
    public string? TimeZone { get; set; }
    public string? Queue { get; set; }
    public JsonObject? Args { get; set; }
    public string? Expires { get; set; }

    /// <summary><c>Skip</c> (default) or <c>RunOnce</c>.</summary>
    public string? MissedRunPolicy { get; set; }
    public string? StartingDeadline { get; set; }
    public bool? Suspend { get; set; }
}
