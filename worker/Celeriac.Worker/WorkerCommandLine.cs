using System.CommandLine;
using System.Text.RegularExpressions;
using Celeriac.Hosting;

namespace Celeriac.WorkerHost;

/// <summary>
/// <c>celeriac-worker</c>'s command line: switches that each set one configuration key, <c>--config</c>,
/// <c>--environment</c>, and any configuration key as <c>--Section:Key=value</c>. Anything else is refused with the
/// usage (exit 2), so that a misspelt switch never starts a worker on defaults.
/// </summary>
public static partial class WorkerCommandLine
{
    public const int Usage = 2;

    private const string UsageLine = "usage: celeriac-worker [--tasks A.dll,B.dll] [--queues a,b] [--broker TYPE] [--db PATH] [--concurrency N] [--Section:Key=value ...]   (celeriac-worker --help)";

    /// <summary>A switch and the configuration key it sets; a list switch takes comma-separated values.</summary>
    public sealed record Switch(string Name, string Key, string Description, bool IsList = false);

    /// <summary>The switches, each the short form of a configuration key.</summary>
    public static IReadOnlyList<Switch> Switches { get; } =
    [
        new("--tasks", "Celeriac:Worker:TaskAssemblies", "Task assemblies to load, comma-separated", IsList: true),
        new("--queues", "Celeriac:Worker:Queues", "Queues to serve, comma-separated (default: every declared queue, else default)", IsList: true),
        new("--broker", "Celeriac:Broker:Type", "sqlite (default), redis, sqs, serviceBus or memory"),
        new("--db", "Celeriac:Broker:Sqlite:Path", "The SQLite broker file (default: celeriac.db in the working directory; created when missing)"),
        new("--concurrency", "Celeriac:Worker:Concurrency", "Tasks run at once (default 8)"),
        new("--lease", "Celeriac:Worker:LeaseDuration", "Lease of a received message, e.g. 00:00:30"),
        new("--grace", "Celeriac:Worker:ShutdownGrace", "On SIGTERM, time for running tasks to finish, e.g. 00:00:25"),
        new("--memory-ceiling-mb", "Celeriac:Worker:MemoryCeilingMb", "Past this resident size: drain and exit 4 for a restart"),
        new("--urls", "urls", "Where /healthz, /readyz and /metrics are served (default http://0.0.0.0:8080)"),
    ];

    /// <summary>What a command line asks for: a worker with these arguments, or an exit code (help was shown, or the usage after an error).</summary>
    public sealed record Parsed(WorkerHostArguments? Arguments, int? ExitCode);

    public static Parsed Parse(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(error);
        // Repeatable, as .NET's command-line configuration is: a value given again wins, lists add up.
        var options = Switches.ToDictionary(s => s, s => new Option<string[]>(s.Name)
        {
            Description = $"{s.Description} [{s.Key}]",
            HelpName = s.IsList ? "list" : "value",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        });
        var config = new Option<string?>(ConfigurationFiles.ConfigOption) { Description = "A settings file (or a directory with appsettings.json), read after appsettings.json of the working directory", HelpName = "path" };
        var environment = new Option<string?>("--environment") { Description = "Environment name: which appsettings.{Environment}.json is read (default: DOTNET_ENVIRONMENT, else Production)", HelpName = "name" };
        var root = new RootCommand(
            "celeriac-worker: runs the Celeriac tasks of the assemblies given with --tasks. Settings come from appsettings.json " +
            "(beside the program, the working directory, --config), the environment (Celeriac__Worker__Concurrency=16) and the " +
            "command line: any configuration key as --Section:Key=value (--Celeriac:Tasks:emails.send:MaxRetries=5). Every key: docs/configuration.md. " +
            "Exit codes: 0 stopped, 1 a configuration error or a crash, 2 a bad command line, 3 hard time limit recycle, 4 memory ceiling recycle.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        foreach (var option in options.Values) root.Options.Add(option);
        root.Options.Add(config);
        root.Options.Add(environment);
        Parsed? parsed = null;
        root.SetAction(result =>
        {
            var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (var (known, option) in options)
            {
                if (result.GetValue(option) is not { Length: > 0 } values) continue;
                if (!known.IsList)
                {
                    settings[known.Key] = values[^1];
                    continue;
                }
                var items = values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
                for (var i = 0; i < items.Count; i++) settings[$"{known.Key}:{i}"] = items[i];
            }
            var problems = new List<string>();
            AddOverrides(result.UnmatchedTokens, settings, problems);
            if (problems.Count > 0)
            {
                foreach (var problem in problems) error.WriteLine(problem);
                error.WriteLine(UsageLine);
                parsed = new Parsed(null, Usage);
                return;
            }
            parsed = new Parsed(new WorkerHostArguments(settings, result.GetValue(config), result.GetValue(environment)), null);
        });

        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var problem in parseResult.Errors) error.WriteLine(problem.Message);
            error.WriteLine(UsageLine);
            return new Parsed(null, Usage);
        }
        var code = parseResult.Invoke(new InvocationConfiguration { Output = output, Error = error });
        return parsed ?? new Parsed(null, code);
    }

    /// <summary><c>--Section:Key=value</c> and <c>--Section:Key value</c>, the forms .NET's command-line configuration reads; a key names a section, so it has a colon.</summary>
    private static void AddOverrides(IReadOnlyList<string> tokens, Dictionary<string, string?> settings, List<string> problems)
    {
        for (var i = 0; i < tokens.Count; i++)
        {
            var match = SettingPattern().Match(tokens[i]);
            if (!match.Success)
            {
                problems.Add(tokens[i].StartsWith('-')
                    ? $"'{tokens[i]}' is not an option of celeriac-worker (nor a setting: --Section:Key=value)"
                    : $"unexpected argument '{tokens[i]}'");
                continue;
            }
            var key = match.Groups["key"].Value;
            if (match.Groups["value"].Success) settings[key] = match.Groups["value"].Value;
            else if (i + 1 < tokens.Count && !tokens[i + 1].StartsWith("--", StringComparison.Ordinal)) settings[key] = tokens[++i];
            else problems.Add($"setting '--{key}' needs a value: --{key}=value");
        }
    }

    [GeneratedRegex(@"^--(?<key>[A-Za-z_][A-Za-z0-9_]*(:[A-Za-z0-9_.\-]+)+)(=(?<value>.*))?$", RegexOptions.Singleline)]
    private static partial Regex SettingPattern();
}
