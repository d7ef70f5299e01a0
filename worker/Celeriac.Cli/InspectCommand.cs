using System.CommandLine;
using Celeriac.Brokers;
using Celeriac.Hosting;
using Celeriac.Revocation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Celeriac.Cli;

/// <summary><c>celeriac inspect</c>: per queue ready, in-flight, delayed and dead-lettered messages, and the revocations in force.</summary>
public static class InspectCommand
{
    public static Command Create(CliServices services, TextWriter output, TextWriter error)
    {
        var command = new Command("inspect", "Queue depths (ready, in flight, delayed), dead letters per queue, and active revocations.");
        command.SetAction(CliApp.Guard(services, error, async (result, cancellationToken) =>
        {
            await using var provider = services.Build(result);
            var admin = provider.GetRequiredService<IBrokerAdmin>();
            var broker = provider.GetRequiredService<IBroker>();
            var dead = (await admin.ListDeadLettersAsync(null, int.MaxValue, cancellationToken))
                .GroupBy(d => d.Queue).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            var declared = provider.GetRequiredService<IOptions<CeleriacOptions>>().Value;
            var queues = (await QueuesCommand.AllAsync(admin, declared, cancellationToken)).Concat(dead.Keys).Distinct(StringComparer.Ordinal);
            long ready = 0, inFlight = 0, delayed = 0;
            var rows = new List<string>();
            foreach (var queue in queues)
            {
                var depth = await broker.GetDepthAsync(queue, cancellationToken);
                ready += depth.Ready;
                inFlight += depth.InFlight;
                delayed += depth.Delayed;
                rows.Add($"{queue,-24} {depth.Ready,10} {depth.InFlight,10} {depth.Delayed,10} {dead.GetValueOrDefault(queue),10}");
            }
            output.WriteLine($"{"queue",-24} {"ready",10} {"in-flight",10} {"delayed",10} {"dead",10}");
            foreach (var row in rows) output.WriteLine(row);
            output.WriteLine($"{"(total)",-24} {ready,10} {inFlight,10} {delayed,10} {dead.Values.Sum(),10}");

            var revocations = provider.GetRequiredService<IRevocationStore>();
            if (revocations is InMemoryRevocationStore)
            {
                output.WriteLine("revocations: no shared store for this broker (set Celeriac__Store__Type=redis)");
                return 0;
            }
            var ids = await revocations.GetRevokedAsync(cancellationToken);
            var names = await revocations.GetRevokedTaskNamesAsync(cancellationToken);
            output.WriteLine($"revoked task ids: {ids.Count}");
            foreach (var (name, at) in names.OrderBy(n => n.Key, StringComparer.Ordinal))
                output.WriteLine($"revoked task name: {name} (tasks enqueued until {at.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ})");
            return 0;
        }));
        return command;
    }
}
