using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Celeriac.Bench;

/// <summary>
/// The least any queue on Redis can do on this machine: this process pushes (LPUSH on a raw socket), another process,
/// blocked in BLPOP on a raw socket, wakes. No client library, no envelope, no claim or lease, no worker; the same
/// idle-then-send pattern as the latency probes. Enqueue→start latencies of Celeriac and of Celery can only be above it.
/// Each pushed value is the sender's monotonic clock (Stopwatch), which is the same clock in every process.
/// </summary>
public static class RedisFloorBench
{
    public const string ConsumerFlag = "--floor-consumer";
    private const int WarmUp = 100;

    public static async Task<(double P50Ms, double P99Ms)> RunAsync(RedisServerProcess redis, int samples)
    {
        var key = "floor:" + Guid.NewGuid().ToString("N");
        var count = WarmUp + samples;
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        // Started through the dotnet host (dotnet celeriac-bench.dll) or through the app host (celeriac-bench).
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") start.ArgumentList.Add(typeof(RedisFloorBench).Assembly.Location);
        foreach (var argument in new[] { ConsumerFlag, redis.Port.ToString(CultureInfo.InvariantCulture), key, count.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(argument);
        using var consumer = Process.Start(start)!;
        if (await consumer.StandardOutput.ReadLineAsync() != "ready") throw new InvalidOperationException("the floor consumer did not start");
        using (var producer = Connect(redis.Port))
        {
            var reply = new byte[64];
            for (var i = 0; i < count; i++)
            {
                producer.Send(Command("LPUSH", key, Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture)));
                producer.Receive(reply);
                Thread.Sleep(4);
            }
        }
        var figures = (await consumer.StandardOutput.ReadLineAsync())?.Split(' ');
        await consumer.WaitForExitAsync();
        if (figures is not [var p50, var p99]) throw new InvalidOperationException("the floor consumer did not report");
        return (double.Parse(p50, CultureInfo.InvariantCulture), double.Parse(p99, CultureInfo.InvariantCulture));
    }

    /// <summary>The other process: BLPOP <paramref name="count"/> values, then print the p50 and p99 of their waits.</summary>
    public static int Consume(int port, string key, int count)
    {
        using var socket = Connect(port);
        var pop = Command("BLPOP", key, "0");
        var buffer = new byte[256];
        var waits = new double[count];
        Console.WriteLine("ready");
        for (var i = 0; i < count; i++)
        {
            socket.Send(pop);
            var text = "";
            // *2 $<n> key $<n> value: five lines.
            while (text.Split("\r\n").Length < 6) text += Encoding.ASCII.GetString(buffer, 0, socket.Receive(buffer));
            var now = Stopwatch.GetTimestamp();
            waits[i] = Stopwatch.GetElapsedTime(long.Parse(text.Split("\r\n")[4], CultureInfo.InvariantCulture), now).TotalMilliseconds;
        }
        var sorted = waits.Skip(WarmUp).Order().ToArray();
        Console.WriteLine(FormattableString.Invariant($"{Statistics.Percentile(sorted, 0.50)} {Statistics.Percentile(sorted, 0.99)}"));
        return 0;
    }

    private static Socket Connect(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect("127.0.0.1", port);
        return socket;
    }

    private static byte[] Command(params string[] parts)
    {
        var text = new StringBuilder().Append('*').Append(parts.Length).Append("\r\n");
        foreach (var part in parts) text.Append('$').Append(Encoding.UTF8.GetByteCount(part)).Append("\r\n").Append(part).Append("\r\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
