using System.CommandLine;
using Celeriac.Cli.LiveView;
using Celeriac.Hosting;

namespace Celeriac.Cli;

/// <summary>
/// The <c>celeriac</c> commands. Exit codes: 0 done, 1 nothing there (no result yet, an unconfirmed purge), 2 a user
/// error (bad arguments, a bad setting, a missing file, a broker that cannot be reached), 3 the task failed.
/// </summary>
public static class CliApp
{
    public const int Done = 0;
    public const int NothingThere = 1;
    public const int UserError = 2;
    public const int TaskFailed = 3;

    /// <summary>Parses and runs a command line; a command line that does not parse prints why and the usage, and exits 2.</summary>
    /// <param name="settings">Configuration applied over the environment (e.g. <c>Celeriac:Broker:Redis:ConnectionString</c>).</param>
    public static async Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error, IReadOnlyDictionary<string, string?>? settings = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(error);
        var result = Create(output, error, settings).Parse(args);
        if (result.Errors.Count > 0)
        {
            // An unknown word also leaves "required command was not provided": the word is the news, the rest follows from it.
            var about = result.Errors.Where(e => result.UnmatchedTokens.Any(t => e.Message.Contains($"'{t}'", StringComparison.Ordinal))).ToList();
            foreach (var problem in about.Count > 0 ? about : result.Errors) await error.WriteLineAsync("error: " + problem.Message).ConfigureAwait(false);
            await error.WriteLineAsync($"usage: {CommandPath(result)} ...   (see {CommandPath(result)} --help)").ConfigureAwait(false);
            return UserError;
        }
        return await result.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken).ConfigureAwait(false);
    }

    /// <param name="settings">Configuration applied over the environment (e.g. <c>Celeriac:Broker:Redis:ConnectionString</c>).</param>
    public static RootCommand Create(TextWriter output, TextWriter error, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var services = new CliServices(settings);
        var root = new RootCommand("Celeriac: enqueue tasks, inspect queues and workers, control workers, purge, handle dead letters, revoke tasks, " +
                                   "search recent tasks, read results, serve the dashboard, " +
                                   "run schedules now and show a TaskQueue's status. Settings come from appsettings.json (working directory, " +
                                   "--config) and the environment (Celeriac__Broker__Type=redis, ...).");
        foreach (var option in services.Options) root.Options.Add(option);
        root.Subcommands.Add(EnqueueCommand.Create(services, output, error));
        root.Subcommands.Add(QueuesCommand.Create(services, output, error));
        root.Subcommands.Add(PurgeCommand.Create(services, output, error));
        root.Subcommands.Add(DeadLettersCommand.Create(services, output, error));
        root.Subcommands.Add(RevokeCommand.Create(services, output, error));
        root.Subcommands.Add(ResultCommand.Create(services, output, error));
        var inspect = InspectCommand.Create(services, output, error);
        foreach (var sub in InspectWorkersCommands.Create(services, output, error)) inspect.Subcommands.Add(sub);
        root.Subcommands.Add(inspect);
        root.Subcommands.Add(ControlCommand.Create(services, output, error));
        root.Subcommands.Add(TasksCommand.Create(services, output, error));
        root.Subcommands.Add(DashboardCommand.Create(services, output, error));
        root.Subcommands.Add(SchedulesCommand.Create(services, output, error));
        root.Subcommands.Add(StatusCommand.Create(output, error));
        return root;
    }

    /// <summary><c>celeriac dead-letters list</c> for a parse result of that command.</summary>
    private static string CommandPath(ParseResult result)
    {
        var names = new List<string>();
        for (var command = result.CommandResult; command is not null; command = command.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, command.Command is RootCommand ? "celeriac" : command.Command.Name);
        return string.Join(' ', names);
    }

    /// <summary>
    /// Runs a command's action; a failure that is the user's or the environment's to fix (bad input, a setting, a file, a
    /// broker or store that cannot be reached) prints one line and exits 2. Anything else is a bug and propagates.
    /// </summary>
    internal static Func<ParseResult, CancellationToken, Task<int>> Guard(CliServices? services, TextWriter error, Func<ParseResult, CancellationToken, Task<int>> action) =>
        async (result, cancellationToken) =>
        {
            try
            {
                return await action(result, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (CliErrors.Describe(ex, () => DescribeDependencies(services, result)) is { } line)
            {
                await error.WriteLineAsync("error: " + line).ConfigureAwait(false);
                return UserError;
            }
        };

    private static CliErrors.Dependencies DescribeDependencies(CliServices? services, ParseResult result)
    {
        if (services is null) return new("configured", null, false);
        try
        {
            var celeriac = services.Configuration(result).GetSection("Celeriac");
            var redisStore = string.Equals(celeriac[StoreSelection.TypeKey]?.Trim(), StoreSelection.Redis, StringComparison.OrdinalIgnoreCase) ? BrokerDescription.Store(celeriac) : null;
            return new(BrokerDescription.Broker(celeriac), redisStore, BrokerDescription.BrokerType(celeriac) == BrokerSelection.Redis);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException)
        {
            return new("configured", null, false);
        }
    }
}
