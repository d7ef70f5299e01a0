using System.CommandLine;
using Celeriac.Brokers;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Cli;

/// <summary>
/// <c>celeriac purge QUEUE --yes</c>: deletes a queue's ready and delayed messages (running ones finish or return); without
/// --yes, says how many it would delete and exits 1.
/// </summary>
public static class PurgeCommand
{
    public static Command Create(CliServices services, TextWriter output, TextWriter error)
    {
        var queue = new Argument<string>("queue") { Description = "Queue to empty" };
        var yes = new Option<bool>("--yes") { Description = "Confirm: delete the queue's ready and delayed messages" };
        var command = new Command("purge",
            "Delete the ready and delayed messages of a queue; running ones are left to finish or return " +
            "(except on SQS, whose PurgeQueue deletes them too; Service Bus: see docs/servicebus.md).") { queue, yes };
        command.SetAction(CliApp.Guard(services, error, async (result, cancellationToken) =>
        {
            var name = result.GetValue(queue)!;
            await using var provider = services.Build(result);
            if (!result.GetValue(yes))
            {
                var depth = await provider.GetRequiredService<IBroker>().GetDepthAsync(name, cancellationToken).ConfigureAwait(false);
                await error.WriteLineAsync($"Queue '{name}' holds {depth.Ready + depth.Delayed} messages ready or delayed and {depth.InFlight} running. " +
                    "Add --yes to delete the ready and delayed ones (on SQS, the running ones too).").ConfigureAwait(false);
                return CliApp.NothingThere;
            }
            var purged = await provider.GetRequiredService<IBrokerAdmin>().PurgeAsync(name, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"Purged {purged} messages from '{name}'.").ConfigureAwait(false);
            return CliApp.Done;
        }));
        return command;
    }
}
