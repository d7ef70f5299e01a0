using System.Diagnostics;
using System.Text;

namespace Celeriac.Hosting;

/// <summary>
/// A <c>celeriac-worker</c> process on this machine: the main job, the benchmarks and the process
/// tests start real workers with it, signal them (SIGTERM, SIGKILL) and read their output.
/// </summary>
public sealed class LocalWorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StreamWriter? _log;

    private LocalWorkerProcess(Process process, string? logFile)
    {
        _process = process;
        if (logFile is not null) _log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>The worker host next to this program (projects that start workers reference Celeriac.Worker).</summary>
    public static string DefaultWorkerPath => Path.Combine(AppContext.BaseDirectory, "celeriac-worker.dll");

    /// <param name="workingDirectory">Where relative paths (the default celeriac.db, appsettings.json) are taken from; default: this process's.</param>
    public static LocalWorkerProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? logFile = null, string? workerPath = null, string? workingDirectory = null)
    {
        var path = workerPath ?? DefaultWorkerPath;
        if (!File.Exists(path)) throw new FileNotFoundException("The worker host was not found; build Celeriac.Worker.", path);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null) start.WorkingDirectory = workingDirectory;
        start.ArgumentList.Add(path);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["Logging__Console__FormatterOptions__IncludeScopes"] = "false";
        if (environment is not null)
            foreach (var (key, value) in environment) start.Environment[key] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the worker process.");
        return new LocalWorkerProcess(process, logFile);
    }

    /// <summary>SIGTERM: the worker stops fetching and drains.</summary>
    public void Terminate()
    {
        if (_process.HasExited) return;
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false });
        kill?.WaitForExit();
    }

    /// <summary>SIGKILL: the worker dies at once, as on an OOM kill or node loss.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: false);
    }

    /// <summary>Waits for exit; returns the exit code, or null on timeout.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.AppendLine(line);
            _log?.WriteLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await WaitForExitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        _process.Dispose();
        lock (_output) _log?.Dispose();
    }
}
