using System.CommandLine;
using Celeriac.Brokers;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Cli;

/// <summary><c>celeriac purge QUEUE --yes</c>: deletes a queue's messages; without --yes, says how many it would delete and exits 1.</summary>
public static class PurgeCommand
{
    public static Command Create(CliServices services, TextWriter output, TextWriter error)
    {
        var queue = new Argument<string>("queue") { Description = "Queue to empty" };
        var yes = new Option<bool>("--yes") { Description = "Confirm: delete every message of the queue" };
        var command = new Command("purge", "Delete every message of a queue.") { queue, yes };
        command.SetAction(CliApp.Guard(services, error, async (result, cancellationToken) =>
        {
            var name = result.GetValue(queue)!;
            await using var provider = services.Build(result);
            if (!result.GetValue(yes))
            {
                var depth = await provider.GetRequiredService<IBroker>().GetDepthAsync(name, cancellationToken).ConfigureAwait(false);
                await error.WriteLineAsync($"Queue '{name}' holds {depth.Total} messages. Add --yes to delete them.").ConfigureAwait(false);
                return CliApp.NothingThere;
            }
            var purged = await provider.GetRequiredService<IBrokerAdmin>().PurgeAsync(name, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"Purged {purged} messages from '{name}'.").ConfigureAwait(false);
            return CliApp.Done;
        }));
        return command;
    }
}
