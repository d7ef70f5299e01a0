using System.Text.Json.Nodes;

namespace Celeriac.Operator.Model;

public sealed class ScheduleSpec
{
    public string Name { get; set; } = "";
    public string Task { get; set; } = "";

    /// <summary>Five fields or a @macro; exactly one of <see cref="Cron"/> and <see cref="Interval"/>.</summary>
    public string? Cron { get; set; }
    public string? Interval { get; set; }
    public string TimeZone { get; set; } = "UTC";
    public string? Queue { get; set; }
    public JsonObject? Args { get; set; }
    public string? Expires { get; set; }

    /// <summary><c>Skip</c> or <c>RunOnce</c>: the names of <see cref="Celeriac.Scheduling.MissedRunPolicy"/>.</summary>
    public string MissedRunPolicy { get; set; } = nameof(Celeriac.Scheduling.MissedRunPolicy.Skip);
    public string? StartingDeadline { get; set; }
    public bool Suspend { get; set; }
}
