using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Celeriac.Client;
using Celeriac.Hosting;
using Celeriac.Scheduling;
using Celeriac.Results;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Cli;

/// <summary>
/// <c>celeriac schedules list|trigger</c>: the worker host's schedules (<c>Celeriac:Schedules</c>, read from the same
/// settings files and environment as the workers), with the state the local scheduler keeps in the store, and a run now.
/// </summary>
public static class SchedulesCommand
{
    public const string TriggerHeader = "celeriac-schedule-trigger";

    public static Command Create(CliServices services, TextWriter output, TextWriter error) =>
        new("schedules", "The worker host's schedules (Celeriac:Schedules): list them with their last and next runs, or run one now.")
        {
            List(services, output, error),
            Trigger(services, output, error),
        };

    private static Command List(CliServices services, TextWriter output, TextWriter error)
    {
        var command = new Command("list", "List the schedules: when they run, their task and queue, the last run (slot and task id) and the next slot.");
        command.SetAction(CliApp.Guard(services, error, async (result, cancellationToken) =>
        {
            await using var provider = services.Build(result);
            var schedules = Read(provider);
            if (schedules.Count == 0)
            {
                await error.WriteLineAsync(NoneConfigured).ConfigureAwait(false);
                return CliApp.NothingThere;
            }
            var store = provider.GetRequiredService<IResultStore>();
            var shared = store is not InMemoryResultStore;
            var now = provider.GetRequiredService<TimeProvider>().GetUtcNow();
            await output.WriteLineAsync($"{"SCHEDULE",-20} {"WHEN",-32} {"TASK",-20} {"QUEUE",-12} {"LAST RUN",-21} {"NEXT RUN",-21} LAST TASK").ConfigureAwait(false);
            foreach (var schedule in schedules)
            {
                var state = shared ? await LocalScheduler.ReadStateAsync(store, schedule.Name, cancellationToken).ConfigureAwait(false) : new ScheduleState(null, null, null);
                var next = schedule.Suspend ? null : state.NextScheduleTime ?? schedule.Recurrence.Next(now);
                var when = schedule.Recurrence + (schedule.Suspend ? " (suspended)" : "");
                await output.WriteLineAsync($"{schedule.Name,-20} {when,-32} {schedule.Task,-20} {schedule.Queue ?? "(task's)",-12} {Time(state.LastScheduleTime),-21} {Time(next),-21} {state.LastTaskId ?? "-"}").ConfigureAwait(false);
            }
            if (!shared) await error.WriteLineAsync("(this broker has no shared store: the last runs the workers recorded cannot be read)").ConfigureAwait(false);
            return CliApp.Done;
        }));
        return command;
    }

    private static Command Trigger(CliServices services, TextWriter output, TextWriter error)
    {
        var name = new Argument<string>("name") { Description = "Schedule name" };
        var command = new Command("trigger", "Run a schedule now: enqueue its task with its args, queue and expiry (the next regular run is unchanged); prints the task id.") { name };
        command.SetAction(CliApp.Guard(services, error, async (result, cancellationToken) =>
        {
            await using var provider = services.Build(result);
            var schedules = Read(provider);
            var wanted = result.GetValue(name)!;
            var schedule = schedules.FirstOrDefault(s => s.Name == wanted) ?? throw new ArgumentException(schedules.Count == 0
                ? $"no schedule '{wanted}': {NoneConfigured}"
                : $"no schedule '{wanted}'; the schedules are: {string.Join(", ", schedules.Select(s => s.Name))}");
            var id = await provider.GetRequiredService<ITaskClient>().EnqueueAsync(schedule.Task, schedule.Args ?? new JsonObject(), new EnqueueOptions
            {
                Queue = schedule.Queue,
                ExpiresIn = schedule.Expires,
                Headers = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["celeriac-schedule"] = schedule.Name,
                    [TriggerHeader] = "manual",
                },
            }, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync(id).ConfigureAwait(false);
            return CliApp.Done;
        }));
        return command;
    }

    private const string NoneConfigured = "no schedules are configured (Celeriac:Schedules in appsettings.json of the working directory or of --config, or Celeriac__Schedules__... in the environment)";

    private static IReadOnlyList<ScheduleDefinition> Read(IServiceProvider provider) =>
        LocalScheduleConfiguration.Read(provider.GetRequiredService<IConfiguration>().GetSection("Celeriac"));

    private static string Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) ?? "-";
}
