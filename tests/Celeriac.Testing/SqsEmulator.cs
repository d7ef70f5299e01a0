using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace Celeriac.Testing;

/// <summary>
/// A real SQS peer: the npm package local-aws-sqs (installed into .tools/ by scripts/test-deps.sh), run by node on
/// a free loopback port from a two-line ES module, and killed on dispose. Each test class gets its own.
/// With <see cref="AcceptPathAddressedQueries"/>, the module also takes Query-protocol requests that name their queue by
/// the request path (and GET requests with the parameters in the query string), as SQS does and kombu's asynchronous
/// client sends them; the emulator itself reads the queue only from a QueueUrl parameter of a POSTed body, so the module
/// moves the parameters into the body and adds the QueueUrl the path names before the emulator sees the request.
/// </summary>
public sealed class SqsEmulator : IAsyncLifetime
{
    /// <summary>Take path-addressed Query requests too (see the class summary); set before <see cref="InitializeAsync"/>.</summary>
    public bool AcceptPathAddressedQueries { get; init; }

    public const string AccountId = "123456789012";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "celeriac-sqs-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly StringBuilder _output = new();
    private Process? _process;

    public int Port { get; private set; }
    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>A queue URL prefix no other test uses, so each test has its own queues and dead-letter queue.</summary>
    public string NewPrefix() => $"{Endpoint}/{AccountId}/t{Guid.NewGuid():N}"[..^20] + "-";

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public async Task InitializeAsync()
    {
        var package = FindPackage();
        Directory.CreateDirectory(_directory);
        Port = LoopbackPort.Free();
        var module = Path.Combine(_directory, "sqs.mjs");
        var entry = new Uri(Path.Combine(package, "dist", "index.js")).AbsoluteUri;
        await File.WriteAllTextAsync(module, AcceptPathAddressedQueries ? PathAddressedModule(entry, Port) : $"""
            import {"{"} createSqsServer {"}"} from "{entry}";
            await createSqsServer({"{"} port: {Port}, hostname: "127.0.0.1" {"}"});
            """);
        var start = new ProcessStartInfo("node", [module]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        _process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException("The SQS emulator exited:\n" + Output);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new StringContent("{}", Encoding.UTF8) };
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.0");
                request.Headers.TryAddWithoutValidation("X-Amz-Target", "AmazonSQS.ListQueues");
                using var response = await http.SendAsync(request);
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("The SQS emulator did not answer within 60 s:\n" + Output);
            await Task.Delay(50);
        }
    }

    private static string PathAddressedModule(string entry, int port) => $$"""
        import { createRequestHandler } from "{{entry}}";
        import { createServer } from "node:http";
        import { Readable } from "node:stream";
        const { requestHandler } = createRequestHandler({ port: {{port}}, hostname: "127.0.0.1" });
        createServer((req, res) => {
          const url = new URL(req.url, "http://127.0.0.1:{{port}}");
          if (req.headers["x-amz-target"] || (url.pathname === "/" && req.method === "POST")) return requestHandler(req, res);
          const chunks = [];
          req.on("data", c => chunks.push(c));
          req.on("end", () => {
            const form = new URLSearchParams(req.method === "GET" ? url.search : Buffer.concat(chunks).toString());
            if (!form.has("QueueUrl") && url.pathname !== "/") form.set("QueueUrl", "http://127.0.0.1:{{port}}" + url.pathname);
            const body = Buffer.from(form.toString());
            const copy = Readable.from([body]);
            copy.method = "POST";
            copy.url = "/";
            copy.headers = { ...req.headers, "content-type": "application/x-www-form-urlencoded", "content-length": String(body.length) };
            requestHandler(copy, res);
          });
        }).listen({{port}}, "127.0.0.1");
        """;

    private static string FindPackage()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, ".tools", "node_modules", "local-aws-sqs");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException("local-aws-sqs is not installed: run scripts/test-deps.sh (make test does).");
    }


    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { }
    }
}
