using Celeriac.Brokers;
using Spectre.Console;

namespace Celeriac.Demo;

/// <summary>One snapshot of the job, drawn as a live table on a terminal or as one plain line otherwise.</summary>
public sealed record ProgressSnapshot(TimeSpan Elapsed, int Enqueued, int Total, long Finished, IReadOnlyDictionary<string, long> Outcomes, IReadOnlyList<(string Queue, QueueDepth Depth)> Depths, int WorkersAlive)
{
    public string ToLine() =>
        $"[{Elapsed.TotalSeconds,5:0.0}s] enqueued {Enqueued}/{Total} finished {Finished} | " +
        string.Join(" ", Depths.Select(d => $"{d.Queue}: {d.Depth.Ready} ready {d.Depth.InFlight} running {d.Depth.Delayed} delayed")) +
        $" | succeeded {Outcomes.GetValueOrDefault("Succeeded")} retried {Outcomes.GetValueOrDefault("Retried")} dead-lettered {Outcomes.GetValueOrDefault("DeadLettered") + Outcomes.GetValueOrDefault("Rejected")} | workers {WorkersAlive}";

    public Table ToTable()
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"Celeriac main job — {Elapsed.TotalSeconds:0.0}s, {WorkersAlive} workers");
        table.AddColumn("queue").AddColumn(new TableColumn("ready").RightAligned()).AddColumn(new TableColumn("running").RightAligned()).AddColumn(new TableColumn("delayed").RightAligned());
        foreach (var (queue, depth) in Depths) table.AddRow(queue, depth.Ready.ToString(), depth.InFlight.ToString(), depth.Delayed.ToString());
        table.AddEmptyRow();
        var percent = Total == 0 ? 0 : 100.0 * Finished / Total;
        table.AddRow("[bold]tasks[/]", $"{Enqueued}/{Total} sent", $"{Finished} done", $"{percent:0}%");
        table.AddRow("outcomes", $"[green]{Outcomes.GetValueOrDefault("Succeeded")} ok[/]", $"[yellow]{Outcomes.GetValueOrDefault("Retried")} retried[/]", $"[red]{Outcomes.GetValueOrDefault("DeadLettered") + Outcomes.GetValueOrDefault("Rejected")} dead[/]");
        return table;
    }
}
