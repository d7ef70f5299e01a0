using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Celeriac.Cli;

/// <summary>
/// <c>celeriac status NAME [-n NS]</c>: a TaskQueue's conditions, pools and schedules, read with kubectl (its current
/// context, or --context / --kubeconfig), so that every way kubectl authenticates works here too.
/// </summary>
public static class StatusCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var name = new Argument<string>("taskqueue") { Description = "TaskQueue name" };
        var ns = new Option<string?>("--namespace", "-n") { Description = "Namespace (default: the context's)" };
        var context = new Option<string?>("--context") { Description = "kubeconfig context (default: the current one)" };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "kubeconfig file (default: KUBECONFIG, else ~/.kube/config)" };
        var kubectl = new Option<string>("--kubectl") { Description = "kubectl executable", DefaultValueFactory = _ => "kubectl" };
        var command = new Command("status", "Show a TaskQueue's conditions, pools and schedules (through kubectl).") { name, ns, context, kubeconfig, kubectl };
        command.SetAction(CliApp.Guard(null, error, async (result, cancellationToken) =>
        {
            List<string> args = ["get", "taskqueues.celeriac.io", result.GetValue(name)!, "-o", "json"];
            if (result.GetValue(ns) is { } n) args.AddRange(["-n", n]);
            if (result.GetValue(context) is { } c) args.AddRange(["--context", c]);
            if (result.GetValue(kubeconfig) is { } k) args.AddRange(["--kubeconfig", k]);
            var (code, json, stderr) = await RunAsync(result.GetValue(kubectl)!, args, cancellationToken);
            if (code != 0)
            {
                error.WriteLine("error: kubectl: " + stderr.Trim());
                return 2;
            }
            Print(JsonNode.Parse(json)!.AsObject(), output);
            return 0;
        }));
        return command;
    }

    public static void Print(JsonObject queue, TextWriter output)
    {
        var metadata = queue["metadata"];
        var status = queue["status"];
        output.WriteLine($"TaskQueue {metadata?["namespace"]}/{metadata?["name"]}  generation {metadata?["generation"]}, observed {status?["observedGeneration"]}");
        output.WriteLine($"ready pools {status?["readyPools"] ?? "-"}, replicas {status?["replicas"] ?? 0}, queue depth {status?["queueDepth"] ?? "-"}");

        output.WriteLine();
        output.WriteLine($"{"CONDITION",-16} {"STATUS",-8} {"REASON",-20} MESSAGE");
        foreach (var c in status?["conditions"]?.AsArray() ?? [])
            output.WriteLine($"{c?["type"],-16} {c?["status"],-8} {c?["reason"],-20} {c?["message"]}");

        output.WriteLine();
        output.WriteLine($"{"POOL",-20} {"REPLICAS",8} {"READY",8} {"DESIRED",8} {"DEPTH",10}");
        foreach (var p in status?["pools"]?.AsArray() ?? [])
            output.WriteLine($"{p?["name"],-20} {p?["replicas"] ?? 0,8} {p?["readyReplicas"] ?? 0,8} {p?["desiredReplicas"]?.ToString() ?? "-",8} {p?["queueDepth"]?.ToString() ?? "-",10}");

        var specSchedules = queue["spec"]?["schedules"]?.AsArray() ?? [];
        if (specSchedules.Count == 0) return;
        var statuses = (status?["schedules"]?.AsArray() ?? []).ToDictionary(s => s?["name"]?.GetValue<string>() ?? "", s => s, StringComparer.Ordinal);
        output.WriteLine();
        output.WriteLine($"{"SCHEDULE",-20} {"WHEN",-24} {"LAST RUN",-22} {"NEXT RUN",-22} LAST TASK");
        foreach (var s in specSchedules)
        {
            var scheduleName = s?["name"]?.GetValue<string>() ?? "";
            var when = s?["cron"] is { } cron ? $"{cron} {s["timeZone"] ?? "UTC"}" : $"every {s?["interval"]}";
            if (s?["suspend"]?.GetValue<bool>() == true) when += " (suspended)";
            statuses.TryGetValue(scheduleName, out var st);
            output.WriteLine($"{scheduleName,-20} {when,-24} {st?["lastScheduleTime"]?.ToString() ?? "-",-22} {st?["nextScheduleTime"]?.ToString() ?? "-",-22} {st?["lastTaskId"]?.ToString() ?? "-"}");
        }
    }

    private static async Task<(int Code, string Out, string Err)> RunAsync(string file, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        Process? started;
        try
        {
            started = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"could not start {file}: {e.Message}", e);
        }
        using var process = started ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await stdout, await stderr);
    }
}
