using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Celeriac.Bench;

/// <summary>The local-aws-sqs emulator (installed into .tools/ by scripts/test-deps.sh), run by node on a free loopback port.</summary>
public sealed class SqsEmulatorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private SqsEmulatorProcess(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Endpoint = $"http://127.0.0.1:{port}";
    }

    public string Endpoint { get; }

    public static async Task<SqsEmulatorProcess> StartAsync()
    {
        string? package = null;
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null && package is null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, ".tools", "node_modules", "local-aws-sqs");
            if (Directory.Exists(candidate)) package = candidate;
        }
        if (package is null) throw new InvalidOperationException("local-aws-sqs is not installed: run scripts/test-deps.sh.");
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        var directory = Directory.CreateTempSubdirectory("celeriac-bench-sqs-").FullName;
        var module = Path.Combine(directory, "sqs.mjs");
        await File.WriteAllTextAsync(module,
            $"import {{ createSqsServer }} from \"{new Uri(Path.Combine(package, "dist", "index.js")).AbsoluteUri}\";\n" +
            $"await createSqsServer({{ port: {port}, hostname: \"127.0.0.1\" }});\n");
        var process = Process.Start(new ProcessStartInfo("node", [module]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new InvalidOperationException("node did not start");
        var emulator = new SqsEmulatorProcess(process, directory, port);
        using var http = new HttpClient();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, emulator.Endpoint) { Content = new StringContent("{}", Encoding.UTF8) };
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.0");
                request.Headers.TryAddWithoutValidation("X-Amz-Target", "AmazonSQS.ListQueues");
                using var response = await http.SendAsync(request);
                if (response.IsSuccessStatusCode) return emulator;
            }
            catch (HttpRequestException)
            {
            }
            if (process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                await emulator.DisposeAsync();
                throw new InvalidOperationException("the SQS emulator did not start");
            }
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { }
    }
}
