using System.CommandLine;
using Celeriac.Control;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Cli.LiveView;

/// <summary>
/// <c>celeriac control ...</c>: changes written to the store that every worker applies within its poll interval, then
/// waits until the live workers acknowledge them in their registry entries. Exit 0 when all did, 1 when some did not
/// within <c>--timeout</c> (the change stays: they apply it when they can read the store again).
/// </summary>
public static class ControlCommand
{
    public static Command Create(CliServices services, TextWriter output, TextWriter error)
    {
        var timeout = new Option<TimeSpan>("--timeout") { Description = "How long to wait for the workers' acknowledgements", DefaultValueFactory = _ => TimeSpan.FromSeconds(15), Recursive = true };
        var command = new Command("control", "Change task rate and time limits, pause or resume queues, or shut workers down, on every worker, through the store.") { timeout };

        var rateTask = new Argument<string>("task") { Description = "Task name" };
        var rate = new Argument<string?>("limit") { Description = "N/s, N/m, N/h, or none (no limit)", Arity = ArgumentArity.ZeroOrOne };
        var rateReset = new Option<bool>("--reset") { Description = "Back to the task's configured rate limit" };
        var rateLimit = new Command("rate-limit", "Set a task type's rate limit on all workers (global across them), or --reset it.") { rateTask, rate, rateReset };
        rateLimit.SetAction(Run(services, output, error, timeout, (client, r, ct) =>
        {
            var limit = r.GetValue(rate);
            if (r.GetValue(rateReset) == (limit is not null)) throw new ArgumentException("give a limit (N/s, N/m, N/h or none) or --reset");
            return client.SetRateLimitAsync(r.GetValue(rateTask)!, limit, ct);
        }));

        var timeTask = new Argument<string>("task") { Description = "Task name" };
        var soft = new Option<string?>("--soft") { Description = "Soft time limit (cancels the task's token), e.g. 00:00:30, or none" };
        var hard = new Option<string?>("--hard") { Description = "Hard time limit (dead-letters the task, recycles the worker), e.g. 00:01:00, or none" };
        var timeReset = new Option<bool>("--reset") { Description = "Back to the task's configured time limits" };
        var timeLimit = new Command("time-limit", "Set a task type's soft and/or hard time limit on all workers, or --reset them.") { timeTask, soft, hard, timeReset };
        timeLimit.SetAction(Run(services, output, error, timeout, (client, r, ct) =>
        {
            if (r.GetValue(timeReset) && (r.GetValue(soft) is not null || r.GetValue(hard) is not null)) throw new ArgumentException("give --soft/--hard or --reset, not both");
            return client.SetTimeLimitsAsync(r.GetValue(timeTask)!, r.GetValue(soft), r.GetValue(hard), r.GetValue(timeReset), ct);
        }));

        var pauseQueue = new Argument<string>("queue") { Description = "Queue name" };
        var pause = new Command("pause", "Stop every worker fetching from a queue (what runs finishes; the messages wait).") { pauseQueue };
        pause.SetAction(Run(services, output, error, timeout, (client, r, ct) => client.PauseAsync(r.GetValue(pauseQueue)!, ct)));

        var resumeQueue = new Argument<string>("queue") { Description = "Queue name" };
        var resume = new Command("resume", "Let workers fetch from a paused queue again.") { resumeQueue };
        resume.SetAction(Run(services, output, error, timeout, (client, r, ct) => client.ResumeAsync(r.GetValue(resumeQueue)!, ct)));

        var workerIds = new Argument<string[]>("worker") { Description = "Worker ids (celeriac inspect workers)", Arity = ArgumentArity.ZeroOrMore };
        var all = new Option<bool>("--all") { Description = "Every live worker" };
        var shutdown = new Command("shutdown", "Ask workers to stop fetching, finish what they run and exit (code 0).") { workerIds, all };
        shutdown.SetAction(CliApp.Guard(services, error, async (result, cancellationToken) =>
        {
            var ids = result.GetValue(workerIds) ?? [];
            if (result.GetValue(all) == (ids.Length > 0)) throw new ArgumentException("give worker ids or --all");
            await using var provider = services.Build(result);
            if (result.GetValue(all))
                ids = [.. (await LiveViewServices.WorkersAsync(provider, cancellationToken)).Where(w => LiveViewServices.IsLive(w.Status)).Select(w => w.Worker.Id)];
            if (ids.Length == 0)
            {
                output.WriteLine("no live worker to shut down");
                return 0;
            }
            var client = Client(provider);
            var version = await client.ShutdownAsync(ids, cancellationToken);
            return await ReportAsync(client, version, result.GetValue(timeout), ids, output, cancellationToken);
        }));

        command.Subcommands.Add(rateLimit);
        command.Subcommands.Add(timeLimit);
        command.Subcommands.Add(pause);
        command.Subcommands.Add(resume);
        command.Subcommands.Add(shutdown);
        return command;
    }

    private static Func<ParseResult, CancellationToken, Task<int>> Run(CliServices services, TextWriter output, TextWriter error, Option<TimeSpan> timeout,
        Func<ControlClient, ParseResult, CancellationToken, ValueTask<long>> change) =>
        CliApp.Guard(services, error, async (result, cancellationToken) =>
        {
            await using var provider = services.Build(result);
            var client = Client(provider);
            var version = await change(client, result, cancellationToken);
            return await ReportAsync(client, version, result.GetValue(timeout), null, output, cancellationToken);
        });

    private static ControlClient Client(IServiceProvider provider)
    {
        LiveViewServices.Registry(provider);
        return provider.GetRequiredService<ControlClient>();
    }

    private static async Task<int> ReportAsync(ControlClient client, long version, TimeSpan timeout, IReadOnlyCollection<string>? workerIds, TextWriter output, CancellationToken cancellationToken)
    {
        var ack = await client.WaitForAcknowledgementsAsync(version, timeout, workerIds, cancellationToken);
        output.WriteLine($"control version {version}: {ack.Describe()}");
        return ack.Complete ? 0 : 1;
    }
}
