using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Celeriac.Celery.Tests.Infrastructure;

/// <summary>
/// The real Celery: Debian's <c>/usr/bin/python3</c> with <c>python3-celery</c> (installed by scripts/test-deps.sh), running
/// the scripts of this project's <c>celery/</c> folder (<c>interop_app.py</c>: the app and its Python tasks;
/// <c>interop_client.py</c>: the scenarios driven from Python) and <c>celery worker</c> processes, each with the
/// environment that names the broker and the result backend.
/// </summary>
public sealed class PythonCelery(IReadOnlyDictionary<string, string> environment)
{
    public const string Python = "/usr/bin/python3";

    public static string ScriptDirectory => Path.Combine(AppContext.BaseDirectory, "celery");

    public IReadOnlyDictionary<string, string> Environment { get; } = environment;

    /// <summary>Runs a scenario of interop_client.py; its one JSON line, or an exception with the script's output.</summary>
    public async Task<JsonObject> RunAsync(string scenario, object parameters, TimeSpan? timeout = null)
    {
        var (code, output, error) = await RunScriptAsync(["interop_client.py", scenario, JsonSerializer.Serialize(parameters)], timeout ?? TimeSpan.FromSeconds(90));
        if (code != 0) throw new InvalidOperationException($"interop_client.py {scenario} exited with {code}:\n{output}\n{error}");
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        return JsonNode.Parse(line) as JsonObject ?? throw new InvalidOperationException($"interop_client.py {scenario} printed no JSON object:\n{output}\n{error}");
    }

    /// <summary>Runs python3 with <paramref name="arguments"/> in the scripts' folder.</summary>
    public async Task<(int Code, string Output, string Error)> RunScriptAsync(IEnumerable<string> arguments, TimeSpan timeout)
    {
        using var process = Process.Start(Start(arguments)) ?? throw new InvalidOperationException("python3 did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"python3 {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds}s:\n{await output}\n{await error}");
        }
        return (process.ExitCode, await output, await error);
    }

    /// <summary>A <c>celery worker</c> (solo pool) consuming <paramref name="queues"/>; ready once it says so.</summary>
    public async Task<CeleryWorkerProcess> StartWorkerAsync(string queues, IReadOnlyDictionary<string, string>? extra = null)
    {
        var start = Start(["-m", "celery", "-A", "interop_app", "worker", "-P", "solo", "-Q", queues, "-n", $"interop-{Guid.NewGuid():N}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"]);
        foreach (var (key, value) in extra ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var worker = new CeleryWorkerProcess(Process.Start(start) ?? throw new InvalidOperationException("celery worker did not start"));
        await worker.WaitForOutputAsync(" ready.", TimeSpan.FromSeconds(60));
        return worker;
    }

    private ProcessStartInfo Start(IEnumerable<string> arguments)
    {
        if (!File.Exists(Python)) throw new InvalidOperationException($"{Python} is missing: run scripts/test-deps.sh (it installs python3-celery and python3-redis).");
        var start = new ProcessStartInfo(Python)
        {
            WorkingDirectory = ScriptDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["PYTHONPATH"] = ScriptDirectory;
        start.Environment["PYTHONUNBUFFERED"] = "1";
        foreach (var (key, value) in Environment) start.Environment[key] = value;
        return start;
    }
}

/// <summary>A running <c>celery worker</c>; its output is kept, and it is killed on dispose.</summary>
public sealed class CeleryWorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    internal CeleryWorkerProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        bool Printed() => Output.Contains(text, StringComparison.Ordinal);
        await Eventually.Reached(() => Printed() || _process.HasExited, timeout);
        if (Printed()) return;
        if (_process.HasExited) throw new InvalidOperationException($"celery worker exited with {_process.ExitCode}:\n{Output}");
        throw new TimeoutException($"celery worker did not print '{text}' within {timeout.TotalSeconds}s:\n{Output}");
    }

    /// <summary>SIGKILL: the worker dies with whatever it holds.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false }))
                await term!.WaitForExitAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await _process.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
        }
        _process.Dispose();
    }
}
