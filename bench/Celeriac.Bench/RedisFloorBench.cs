using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Celeriac.Bench;

/// <summary>
/// The least any queue on Redis can do on this machine: one raw socket pushes (LPUSH), another, blocked in BLPOP on its
/// own thread, wakes. No client library, no envelope, no worker; the same idle-then-send pattern as the latency probes.
/// The enqueue→start latency of Celeriac and of Celery can only be above this.
/// </summary>
public static class RedisFloorBench
{
    public static (double P50Ms, double P99Ms) Run(RedisServerProcess redis, int samples)
    {
        const int WarmUp = 100;
        var key = "floor:" + Guid.NewGuid().ToString("N");
        var waits = new double[WarmUp + samples];
        long sentAt = 0;
        using var woke = new SemaphoreSlim(0);
        using var consumer = Connect(redis.Port);
        using var producer = Connect(redis.Port);
        var pop = Command("BLPOP", key, "0");
        var reader = new Thread(() =>
        {
            var buffer = new byte[256];
            for (var i = 0; i < waits.Length; i++)
            {
                consumer.Send(pop);
                ReadReply(consumer, buffer, "*2");
                waits[i] = Stopwatch.GetElapsedTime(Volatile.Read(ref sentAt)).TotalMilliseconds;
                woke.Release();
            }
        }) { IsBackground = true, Name = "floor-consumer" };
        reader.Start();
        var push = Command("LPUSH", key, "x");
        var reply = new byte[64];
        Thread.Sleep(50);
        for (var i = 0; i < waits.Length; i++)
        {
            Volatile.Write(ref sentAt, Stopwatch.GetTimestamp());
            producer.Send(push);
            ReadReply(producer, reply, ":");
            if (!woke.Wait(TimeSpan.FromSeconds(30))) throw new TimeoutException("BLPOP did not wake");
            Thread.Sleep(3);
        }
        reader.Join();
        var sorted = waits.Skip(WarmUp).Order().ToArray();
        return (Percentile(sorted, 0.50), Percentile(sorted, 0.99));
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

    /// <summary>Reads until a whole small reply is in (the replies here are a few dozen bytes, one segment on loopback).</summary>
    private static void ReadReply(Socket socket, byte[] buffer, string expected)
    {
        var read = socket.Receive(buffer);
        var text = Encoding.ASCII.GetString(buffer, 0, read);
        if (!text.StartsWith(expected, StringComparison.Ordinal)) throw new InvalidOperationException($"unexpected reply from redis-server: {text}");
        if (expected == "*2") while (!text.EndsWith("x\r\n", StringComparison.Ordinal)) text += Encoding.ASCII.GetString(buffer, 0, socket.Receive(buffer));
    }

    private static double Percentile(double[] sorted, double q) =>
        sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
}
