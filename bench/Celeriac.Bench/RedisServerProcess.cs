using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Celeriac.Bench;

/// <summary>A redis-server without persistence on a free loopback port, for the Redis and Celery scenarios.</summary>
public sealed class RedisServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _directory = new();

    private RedisServerProcess(int port, Process process)
    {
        Port = port;
        _process = process;
    }

    public int Port { get; }
    public string ConnectionString => $"127.0.0.1:{Port}";
    public string Url => $"redis://127.0.0.1:{Port}/0";

    /// <summary>Null when redis-server is not installed (scripts/bench-deps.sh installs it).</summary>
    public static RedisServerProcess? TryStart()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        var directory = new TempDirectory();
        Process? process;
        try
        {
            process = Process.Start(new ProcessStartInfo("redis-server",
                ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory.Path])
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            });
        }
        catch (System.ComponentModel.Win32Exception)
        {
            directory.Dispose();
            return null;
        }
        if (process is null) return null;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return new RedisServerProcess(port, process);
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }
        process.Kill();
        throw new TimeoutException("redis-server did not listen within 20s.");
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
        _directory.Dispose();
    }
}
