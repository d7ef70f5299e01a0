using System.CommandLine;
using Celeriac.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Cli;

/// <summary><c>celeriac result ID [--wait 00:00:30]</c>: the stored result (JSON) or failure; exit 1 when there is none (yet), 3 when the task failed.</summary>
public static class ResultCommand
{
    public static Command Create(CliServices services, TextWriter output, TextWriter error)
    {
        var id = new Argument<string>("id") { Description = "Task id" };
        var wait = new Option<TimeSpan?>("--wait") { Description = "Wait up to this long for the result, e.g. 00:00:30 (default: do not wait)", CustomParser = CliValues.Duration("--wait") };
        var command = new Command("result", "Print a task's stored result (JSON) or failure; exit 1 when there is none (yet), 3 when the task failed.") { id, wait };
        command.SetAction(CliApp.Guard(services, error, async (result, cancellationToken) =>
        {
            await using var provider = services.Build(result);
            var taskId = result.GetValue(id)!;
            var stored = await provider.GetRequiredService<TaskControl>().Handle(taskId).WaitAsync(result.GetValue(wait) ?? TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                await error.WriteLineAsync($"No result for {taskId}.").ConfigureAwait(false);
                return CliApp.NothingThere;
            }
            if (stored.Succeeded) await output.WriteLineAsync(stored.ResultJson ?? "null").ConfigureAwait(false);
            else await output.WriteLineAsync($"failed: {stored.ExceptionType}: {stored.ExceptionMessage}").ConfigureAwait(false);
            return stored.Succeeded ? CliApp.Done : CliApp.TaskFailed;
        }));
        return command;
    }
}
