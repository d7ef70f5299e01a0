using System.CommandLine;
using System.Text.RegularExpressions;
using Celeriac.Operator.Rendering;

namespace Celeriac.Operator;

/// <summary>
/// <c>celeriac-operator</c>'s command line: <c>run</c> (the default) and <c>render</c>. Exit codes: 0 done, 1 the input
/// was invalid or unreadable, 2 the command line was wrong (with a usage message, never a stack trace).
/// </summary>
public static partial class OperatorCommandLine
{
    public const int InvalidInput = 1;
    public const int Usage = 2;

    private const string UsageLine = "usage: celeriac-operator [run [--Section:Key=value ...]] | render -f FILE|DIR ... [--service-monitors]   (--help for more)";

    public static async Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error, Func<string[], Task<int>> runOperator)
    {
        ArgumentNullException.ThrowIfNull(args);
        var root = Create(output, error, runOperator);
        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (var problem in result.Errors) await error.WriteLineAsync(problem.Message).ConfigureAwait(false);
            await error.WriteLineAsync(UsageLine).ConfigureAwait(false);
            return Usage;
        }
        return await result.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }).ConfigureAwait(false);
    }

    public static RootCommand Create(TextWriter output, TextWriter error, Func<string[], Task<int>> runOperator)
    {
        var run = new Command("run", "Run the operator against the cluster kubectl would use (every $KUBECONFIG entry, exec plugins), else in-cluster. " +
                                     "Settings come from the environment (Operator__LeaseNamespace=...) or as --Operator:Key=value.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        run.SetAction((result, _) => RunAsync(result.UnmatchedTokens, error, runOperator));

        var root = new RootCommand("celeriac-operator: reconciles TaskQueue resources into worker Deployments, autoscales them on queue depth and enqueues their schedules.")
        {
            run,
            RenderCommand(output, error),
        };
        root.SetAction((result, _) => runOperator([]));
        return root;
    }

    private static async Task<int> RunAsync(IReadOnlyList<string> settings, TextWriter error, Func<string[], Task<int>> runOperator)
    {
        foreach (var token in settings)
        {
            if (SettingPattern().IsMatch(token)) continue;
            await error.WriteLineAsync($"'{token}' is neither an option of run nor a setting (--Section:Key=value)").ConfigureAwait(false);
            await error.WriteLineAsync(UsageLine).ConfigureAwait(false);
            return Usage;
        }
        return await runOperator([.. settings]).ConfigureAwait(false);
    }

    [GeneratedRegex(@"^--[A-Za-z][A-Za-z0-9_]*(:[A-Za-z0-9_]+)+=.*$")]
    private static partial Regex SettingPattern();

    private static Command RenderCommand(TextWriter output, TextWriter error)
    {
        var files = new Option<string[]>("--filename", "-f", "--file")
        {
            Description = "A TaskQueue file, a directory of them (*.yaml, *.yml, *.json), or - for standard input; repeatable",
            AllowMultipleArgumentsPerToken = false,
        };
        var paths = new Argument<string[]>("paths") { Description = "More files or directories (a shell glob expands to these)", Arity = ArgumentArity.ZeroOrMore };
        paths.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => t.Value.StartsWith('-') && t.Value != "-"))
                result.AddError($"unknown option '{token.Value}' for render");
        });
        var serviceMonitors = new Option<bool>("--service-monitors") { Description = "Also render a ServiceMonitor per pool (the Prometheus Operator's CRD)" };
        var command = new Command("render", "Print, offline, the exact objects the operator would apply for TaskQueue files, after checking them as strictly as the API server does.")
        {
            files, paths, serviceMonitors,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var given = (result.GetValue(files) ?? []).Concat(result.GetValue(paths) ?? []).ToList();
            if (given.Count == 0)
            {
                await error.WriteLineAsync("render needs at least one file").ConfigureAwait(false);
                await error.WriteLineAsync(UsageLine).ConfigureAwait(false);
                return Usage;
            }
            var inputs = new List<OfflineRenderer.Input>();
            var unreadable = new List<string>();
            foreach (var path in given)
            {
                if (path == "-")
                {
                    inputs.Add(new OfflineRenderer.Input("-", await Console.In.ReadToEndAsync(cancellationToken).ConfigureAwait(false)));
                    continue;
                }
                try
                {
                    var found = Directory.Exists(path)
                        ? Directory.EnumerateFiles(path).Where(f => Path.GetExtension(f) is ".yaml" or ".yml" or ".json").Order(StringComparer.Ordinal).ToList()
                        : [path];
                    if (found.Count == 0) unreadable.Add($"{path}: the directory holds no .yaml, .yml or .json file");
                    foreach (var file in found) inputs.Add(new OfflineRenderer.Input(file, await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false)));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    unreadable.Add($"{path}: {(e is FileNotFoundException or DirectoryNotFoundException ? "no such file or directory" : e.Message)}");
                }
            }
            var (yaml, errors) = OfflineRenderer.Render(inputs, new RenderOptions { ServiceMonitors = result.GetValue(serviceMonitors) });
            foreach (var problem in unreadable.Concat(errors)) await error.WriteLineAsync(problem).ConfigureAwait(false);
            if (yaml is null || unreadable.Count > 0) return InvalidInput;
            await output.WriteAsync(yaml).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
