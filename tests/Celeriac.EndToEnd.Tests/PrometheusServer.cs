using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Celeriac.EndToEnd.Tests;

/// <summary>
/// Debian's <c>prometheus</c> on a free loopback port, with a temp config that scrapes the given targets every second
/// and a temp storage directory; killed and cleaned up on dispose.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly string _directory;

    private PrometheusServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public HttpClient Http { get; }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static async Task<PrometheusServer> StartAsync(string job, params string[] targets)
    {
        var directory = Path.Combine(Path.GetTempPath(), "celeriac-prometheus-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: {job}
                static_configs:
                  - targets: [{string.Join(", ", targets.Select(t => $"'{t}'"))}]
            """);
        var port = LoopbackPort.Free();
        var start = new ProcessStartInfo("prometheus")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var arg in new[]
        {
            "--config.file=" + config,
            "--storage.tsdb.path=" + Path.Combine(directory, "data"),
            "--web.listen-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture),
        })
            start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException("prometheus did not start; run scripts/test-deps.sh");
        var server = new PrometheusServer(process, directory, port);
        var ready = await Eventually.Reached(async () =>
        {
            if (process.HasExited) return true;
            try { return (await server.Http.GetAsync("/-/ready")).StatusCode == HttpStatusCode.OK; }
            catch (HttpRequestException) { return false; }
            catch (TaskCanceledException) { return false; }
        }, TimeSpan.FromSeconds(60));
        if (!ready || process.HasExited)
        {
            var output = server.Output;
            await server.DisposeAsync();
            throw new InvalidOperationException("prometheus did not become ready:\n" + output);
        }
        return server;
    }

    /// <summary>An instant query (/api/v1/query): each series' labels and value.</summary>
    public async Task<List<(Dictionary<string, string> Labels, double Value)>> QueryAsync(string promql)
    {
        var response = await Http.GetAsync("/api/v1/query?query=" + Uri.EscapeDataString(promql));
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"query {promql} failed: {body}");
        using var document = JsonDocument.Parse(body);
        var data = document.RootElement.GetProperty("data");
        var results = new List<(Dictionary<string, string>, double)>();
        foreach (var item in data.GetProperty("result").EnumerateArray())
        {
            var labels = item.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
            var value = double.Parse(item.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
            results.Add((labels, value));
        }
        return results;
    }

    /// <summary>The value of a query that yields one series, or null when it yields none.</summary>
    public async Task<double?> ScalarAsync(string promql)
    {
        var results = await QueryAsync(promql);
        return results.Count switch
        {
            0 => null,
            1 => results[0].Value,
            _ => throw new InvalidOperationException($"{promql} yields {results.Count} series"),
        };
    }


    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try { await _process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { }
        }
        _process.Dispose();
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { }
    }
}
