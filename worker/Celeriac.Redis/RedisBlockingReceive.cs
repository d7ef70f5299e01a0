using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Celeriac.Redis;

/// <summary>
/// The fast path of a receive that found its queues empty. On a connection of its own, <c>XREADGROUP ... BLOCK</c>
/// wakes the moment a message lands in one of the streams and claims it for this consumer; the receive script,
/// pipelined behind it, gives it a lease ("adopts" it) before anything else can run. A wake-up therefore costs one
/// hop from Redis to the worker, where a pub/sub notice followed by a receive script costs a notice and a round trip.
/// A message claimed by a read whose adoption never ran (the connection broke in between) is adopted by this
/// consumer's next adopting receive, or, when the consumer is gone, returned to the queue by the orphan scan.
/// One blocking read at a time: a second concurrent caller gets null and waits the pub/sub way, and so does every
/// caller for a while after the connection failed.
/// </summary>
internal sealed partial class RedisBlockingReceive(RedisConnection connection, string consumer, ILogger logger) : IDisposable
{
    private static readonly string ReceiveSha = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(RedisScripts.Receive)));
    private static readonly TimeSpan ReplyGrace = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private RespConnection? _resp;
    private int _failures;
    private long _retryAt;

    /// <summary>How many messages this path delivered (for tests).</summary>
    internal long Delivered;

    /// <summary>
    /// Blocks up to <paramref name="block"/> for a message, then runs the receive script in adopt mode with
    /// <paramref name="keys"/> and <paramref name="adoptArgs"/>. Returns that script's reply, or null when this path is
    /// unavailable (busy, failing, or not connected) and the caller should wait another way.
    /// </summary>
    public async Task<RedisResult[]?> TryReceiveAsync(RedisKey[] keys, IReadOnlyList<string> streams, object[] adoptArgs, TimeSpan block, CancellationToken cancellationToken)
    {
        if (Environment.TickCount64 < Interlocked.Read(ref _retryAt) || !_gate.Wait(0)) return null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(block + ReplyGrace);
            try
            {
                var resp = _resp ??= await OpenAsync(timeout.Token).ConfigureAwait(false);
                if (resp is null) return null;
                // One message per stream is enough to wake up: the adopting script, behind it, takes the rest.
                object[] read = ["XREADGROUP", "GROUP", adoptArgs[0], consumer, "COUNT", 1L, "BLOCK", Math.Max(1L, (long)Math.Ceiling(block.TotalMilliseconds)), "STREAMS",
                    .. streams, .. streams.Select(_ => ">")];
                await resp.WriteAsync([read, Script("EVALSHA", ReceiveSha, keys, adoptArgs)], timeout.Token).ConfigureAwait(false);
                var woke = await resp.ReadAsync(timeout.Token).ConfigureAwait(false);
                var adopted = await resp.ReadAsync(timeout.Token).ConfigureAwait(false);
                if (adopted is RespError { Message: var noScript } && noScript.StartsWith("NOSCRIPT", StringComparison.Ordinal))
                {
                    await resp.WriteAsync([Script("EVAL", RedisScripts.Receive, keys, adoptArgs)], timeout.Token).ConfigureAwait(false);
                    adopted = await resp.ReadAsync(timeout.Token).ConfigureAwait(false);
                }
                if (adopted is RespError error) throw new IOException("The adopting receive script failed: " + error.Message);
                var result = ((object?[])adopted!).Select(ToResult).ToArray();
                Interlocked.Add(ref Delivered, (result.Length - 2) / 5);
                // An error instead of a wake-up (say, a consumer group deleted under it) would make every wait return
                // at once: wait the other way for a while, which also recreates what is missing.
                if (woke is RespError wokeError) Failed(new IOException(wokeError.Message));
                else _failures = 0;
                return result;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // A blocked read cannot be taken back: drop the connection, and with it the read.
                Drop();
                throw;
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException or InvalidCastException or FormatException or System.Security.Authentication.AuthenticationException)
            {
                Drop();
                Failed(ex);
                return null;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<RespConnection?> OpenAsync(CancellationToken cancellationToken)
    {
        var endPoint = connection.PrimaryEndPoint;
        if (endPoint is null) return null;
        using var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connect.CancelAfter(TimeSpan.FromMilliseconds(Math.Max(1000, connection.Configuration.ConnectTimeout)));
        return await RespConnection.OpenAsync(endPoint, connection.Configuration, "celeriac-receive", connect.Token).ConfigureAwait(false);
    }

    private static object[] Script(string verb, string script, RedisKey[] keys, object[] args)
    {
        var command = new object[3 + keys.Length + args.Length];
        command[0] = verb;
        command[1] = script;
        command[2] = (long)keys.Length;
        for (var i = 0; i < keys.Length; i++) command[3 + i] = (string)keys[i]!;
        args.CopyTo(command, 3 + keys.Length);
        return command;
    }

    private static RedisResult ToResult(object? value) => value switch
    {
        long number => RedisResult.Create(number),
        byte[] bytes => RedisResult.Create((RedisValue)bytes),
        string text => RedisResult.Create((RedisValue)text),
        _ => throw new InvalidCastException($"The receive script returned a {value?.GetType().Name ?? "nil"} where a value was expected."),
    };

    private void Failed(Exception exception)
    {
        var failures = ++_failures;
        var backoff = TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, Math.Min(failures - 1, 7))));
        Interlocked.Exchange(ref _retryAt, Environment.TickCount64 + (long)backoff.TotalMilliseconds);
        if (failures == 1) LogFailed(exception, backoff.TotalSeconds);
    }

    private void Drop()
    {
        _resp?.Dispose();
        _resp = null;
    }

    public void Dispose() => Drop();

    [LoggerMessage(LogLevel.Warning, "The blocking receive connection to Redis failed; waiting through pub/sub for {Seconds}s before trying it again")]
    private partial void LogFailed(Exception exception, double seconds);
}
