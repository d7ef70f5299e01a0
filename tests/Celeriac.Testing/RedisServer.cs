using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Celeriac.Testing;

/// <summary>
/// A real <c>redis-server</c> (Debian's package, installed by scripts/test-deps.sh) on a free loopback port,
/// in a temporary directory that is deleted with it. Without persistence by default; with AOF for the
/// tests that restart it and expect their data back. Shared by the Redis and the operator tests.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("celeriac-redis-").FullName;
    private readonly bool _appendOnly;
    private readonly string? _password;
    private Process? _process;

    private RedisServer(bool appendOnly, string? password)
    {
        _appendOnly = appendOnly;
        _password = password;
        Port = LoopbackPort.Free();
    }

    public int Port { get; }

    /// <summary>A StackExchange.Redis connection string, with the password when the server requires one.</summary>
    public string ConnectionString => _password is null ? $"127.0.0.1:{Port}" : $"127.0.0.1:{Port},password={_password}";

    public static async Task<RedisServer> StartAsync(bool appendOnly = false, string? password = null)
    {
        var server = new RedisServer(appendOnly, password);
        await server.StartProcessAsync();
        return server;
    }


    private async Task StartProcessAsync()
    {
        var start = new ProcessStartInfo("redis-server")
        {
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _directory, "--save", "" })
            start.ArgumentList.Add(arg);
        if (_appendOnly)
        {
            foreach (var arg in new[] { "--appendonly", "yes", "--appendfsync", "always" }) start.ArgumentList.Add(arg);
        }
        else
        {
            foreach (var arg in new[] { "--appendonly", "no" }) start.ArgumentList.Add(arg);
        }
        if (_password is not null)
        {
            start.ArgumentList.Add("--requirepass");
            start.ArgumentList.Add(_password);
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var process = _process;
        if (await Eventually.Reached(async () => process.HasExited || await AnswersPingAsync(), TimeSpan.FromSeconds(30)) && !process.HasExited) return;
        if (process.HasExited) throw new InvalidOperationException($"redis-server exited with code {process.ExitCode}.");
        throw new TimeoutException("redis-server did not answer PING within 30s.");
    }

    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer);
            var reply = System.Text.Encoding.ASCII.GetString(buffer, 0, read);
            return reply.StartsWith("+PONG", StringComparison.Ordinal) || reply.StartsWith("-NOAUTH", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>SIGTERM (redis writes its AOF and exits), then a new server on the same port and directory.</summary>
    public async Task RestartAsync(TimeSpan downtime)
    {
        await StopProcessAsync();
        // The outage the caller asked for: its length is the point.
        await Task.Delay(downtime);
        await StartProcessAsync();
    }

    private async Task StopProcessAsync()
    {
        if (_process is null) return;
        if (!_process.HasExited)
        {
            using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false }))
                await kill!.WaitForExitAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try { await _process.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException) { _process.Kill(); }
        }
        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false }) _process.Kill();
        if (_process is not null) await _process.WaitForExitAsync();
        _process?.Dispose();
        _process = null;
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { }
    }
}
