using System.CommandLine;
using System.Globalization;
using Celeriac.Registry;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Cli.LiveView;

/// <summary>
/// <c>celeriac inspect workers|active|registered|stats</c>: what the workers' registry entries say (Celery's <c>inspect</c>
/// over the store, not a broadcast: every worker that heartbeats in the last minutes is listed, also one that is busy).
/// </summary>
public static class InspectWorkersCommands
{
    private delegate void Print(IReadOnlyList<(WorkerInfo Worker, WorkerStatus Status)> workers, DateTimeOffset now, TextWriter output);

    public static IEnumerable<Command> Create(CliServices services, TextWriter output, TextWriter error)
    {
        Command Inspect(string name, string description, bool liveOnly, Print print)
        {
            var command = new Command(name, description);
            command.SetAction(CliApp.Guard(services, error, async (result, cancellationToken) =>
            {
                await using var provider = services.Build(result);
                var now = provider.GetRequiredService<TimeProvider>().GetUtcNow();
                var workers = await LiveViewServices.WorkersAsync(provider, cancellationToken);
                print(liveOnly ? [.. workers.Where(w => LiveViewServices.IsLive(w.Status))] : workers, now, output);
                return 0;
            }));
            return command;
        }

        yield return Inspect("workers", "The worker processes in the registry: status, queues, concurrency, running tasks, counts, memory, last heartbeat.",
            liveOnly: false, Workers);
        yield return Inspect("active", "The tasks that live workers run now, where and for how long.", liveOnly: true, Active);
        yield return Inspect("registered", "The task types each live worker runs, with the options in force there (control's changes included).",
            liveOnly: true, Registered);
        yield return Inspect("stats", "Per live worker: uptime, pid, counts (processed, succeeded, failed, retried), memory, control version and paused queues; then totals.",
            liveOnly: true, Stats);
    }

    private static void Workers(IReadOnlyList<(WorkerInfo Worker, WorkerStatus Status)> workers, DateTimeOffset now, TextWriter output)
    {
        output.WriteLine($"{"WORKER",-40} {"STATUS",-9} {"QUEUES",-24} {"SLOTS",5} {"RUNNING",7} {"PROCESSED",9} {"FAILED",7} {"MEMORY",8} {"HEARTBEAT",9} VERSION");
        foreach (var (w, status) in workers)
        {
            var queues = string.Join(',', w.Queues.Select(q => w.PausedQueues.Contains(q) ? q + "(paused)" : q));
            output.WriteLine($"{w.Id,-40} {LiveViewServices.Status(status),-9} {queues,-24} {w.Concurrency,5} {w.InFlightCount,7} {w.Processed,9} {w.Failed,7} {LiveViewServices.Bytes(w.MemoryBytes),8} {LiveViewServices.Duration(now - w.HeartbeatAt) + " ago",9} {w.Version}");
        }
        output.WriteLine($"{workers.Count(w => LiveViewServices.IsLive(w.Status))} live workers, {workers.Count(w => !LiveViewServices.IsLive(w.Status))} lost or stopped");
    }

    private static void Active(IReadOnlyList<(WorkerInfo Worker, WorkerStatus Status)> workers, DateTimeOffset now, TextWriter output)
    {
        output.WriteLine($"{"WORKER",-40} {"TASK ID",-36} {"TASK",-24} {"QUEUE",-12} {"ATTEMPT",7} RUNNING FOR");
        var total = 0;
        foreach (var (w, _) in workers)
        {
            foreach (var t in w.InFlight)
                output.WriteLine($"{w.Id,-40} {t.Id,-36} {t.Name,-24} {t.Queue,-12} {t.Attempt,7} {LiveViewServices.Duration(now - t.StartedAt)}");
            total += w.InFlightCount;
            if (w.InFlightCount > w.InFlight.Count) output.WriteLine($"{w.Id,-40} (and {w.InFlightCount - w.InFlight.Count} more)");
        }
        output.WriteLine($"{total} running on {workers.Count} live workers");
    }

    private static void Registered(IReadOnlyList<(WorkerInfo Worker, WorkerStatus Status)> workers, DateTimeOffset now, TextWriter output)
    {
        output.WriteLine($"{"WORKER",-40} {"TASK",-24} {"QUEUE",-12} {"RATE",-8} {"SOFT",-9} {"HARD",-9} {"RETRIES",7} {"LOCK",-14} MASKED");
        foreach (var (w, _) in workers)
        {
            foreach (var t in w.Tasks)
            {
                var lockText = t.Lock == "None" ? "-" : t.LockKeyFields.Count > 0 ? $"{t.Lock}({string.Join(',', t.LockKeyFields)})" : t.Lock;
                output.WriteLine($"{w.Id,-40} {t.Name,-24} {t.Queue,-12} {t.RateLimit ?? "-",-8} {Limit(t.SoftTimeLimit),-9} {Limit(t.HardTimeLimit),-9} {t.MaxRetries,7} {lockText,-14} {(t.MaskArgs ? "yes" : "no")}");
            }
        }
    }

    private static void Stats(IReadOnlyList<(WorkerInfo Worker, WorkerStatus Status)> workers, DateTimeOffset now, TextWriter output)
    {
        foreach (var (w, status) in workers)
        {
            output.WriteLine($"{w.Id}:");
            output.WriteLine($"  host {w.Host}, pid {w.Pid}, version {w.Version}, {LiveViewServices.Status(status)}, up {LiveViewServices.Duration(now - w.StartedAt)}");
            output.WriteLine($"  concurrency {w.Concurrency}, running {w.InFlightCount}, memory {LiveViewServices.Bytes(w.MemoryBytes)}");
            output.WriteLine($"  processed {w.Processed}: succeeded {w.Succeeded}, failed {w.Failed}, retried {w.Retried}");
            output.WriteLine($"  control version {w.ControlVersion}, paused queues: {(w.PausedQueues.Count == 0 ? "none" : string.Join(", ", w.PausedQueues))}");
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"total: {workers.Count} live workers, {workers.Sum(w => w.Worker.Concurrency)} slots, {workers.Sum(w => w.Worker.InFlightCount)} running, {workers.Sum(w => w.Worker.Processed)} processed, {workers.Sum(w => w.Worker.Failed)} failed"));
    }

    private static string Limit(TimeSpan? limit) => limit is { } l ? LiveViewServices.Duration(l) : "-";
}
