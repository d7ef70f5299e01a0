using System.CommandLine;
using Celeriac.Brokers;
using Celeriac.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Celeriac.Cli;

/// <summary><c>celeriac queues</c>: every queue, declared (<c>Celeriac:Queues</c>) or known to the broker, empty ones too, with its depth.</summary>
public static class QueuesCommand
{
    public static Command Create(CliServices services, TextWriter output, TextWriter error)
    {
        var command = new Command("queues", "Show every queue, declared or known to the broker, with its ready, running (leased) and delayed messages, and the dead letters.");
        command.SetAction(CliApp.Guard(services, error, async (result, cancellationToken) =>
        {
            await using var provider = services.Build(result);
            var admin = provider.GetRequiredService<IBrokerAdmin>();
            var broker = provider.GetRequiredService<IBroker>();
            var declared = provider.GetRequiredService<IOptions<CeleriacOptions>>().Value;
            // Everything is read before anything is printed: a broker that fails half-way leaves one error line, not half a table.
            var rows = new List<string>();
            foreach (var queue in await AllAsync(admin, declared, cancellationToken).ConfigureAwait(false))
            {
                var depth = await broker.GetDepthAsync(queue, cancellationToken).ConfigureAwait(false);
                var priority = declared.Queues.FirstOrDefault(q => q.Name == queue)?.Priority.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-";
                rows.Add($"{queue,-24} {depth.Ready,10} {depth.InFlight,10} {depth.Delayed,10} {priority,9}");
            }
            var dead = await admin.ListDeadLettersAsync(null, int.MaxValue, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"{"queue",-24} {"ready",10} {"running",10} {"delayed",10} {"priority",9}").ConfigureAwait(false);
            foreach (var row in rows) await output.WriteLineAsync(row).ConfigureAwait(false);
            await output.WriteLineAsync($"{"(dead letters)",-24} {dead.Count,10}").ConfigureAwait(false);
            return CliApp.Done;
        }));
        return command;
    }

    /// <summary>The declared queues, highest priority first (or <c>default</c> when none is declared), then the others the broker knows, by name.</summary>
    internal static async Task<IReadOnlyList<string>> AllAsync(IBrokerAdmin admin, CeleriacOptions declared, CancellationToken cancellationToken)
    {
        var names = declared.Queues.Count > 0 ? declared.Queues.OrderByDescending(q => q.Priority).Select(q => q.Name).ToList() : ["default"];
        var known = await admin.ListQueuesAsync(cancellationToken).ConfigureAwait(false);
        names.AddRange(known.Where(q => !names.Contains(q, StringComparer.Ordinal)).Order(StringComparer.Ordinal));
        return names;
    }
}
