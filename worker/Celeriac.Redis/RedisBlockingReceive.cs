using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Celeriac.Redis;

/// <summary>
/// The fast path of a receive that found its queues empty. On a multiplexer of its own (client name
/// <c>celeriac-receive</c>), <c>XREADGROUP ... BLOCK</c> wakes the moment a message lands in one of the streams and
/// claims it for this consumer; the receive script, pipelined behind it on the same connection, gives it a lease
/// ("adopts" it) before anything else can run. A wake-up therefore costs one hop from Redis to the worker, where a
/// pub/sub notice followed by a receive script costs a notice and a round trip. The shared multiplexer never carries
/// a blocking command: it would stall every other caller behind it.
/// A message claimed by a read whose adoption never ran (the connection broke in between) is adopted by this
/// consumer's next adopting receive, or, when the consumer is gone, returned to the queue by the orphan scan.
/// One blocking read at a time: a second concurrent caller gets null and waits the pub/sub way, and so does every
/// caller for a while after the connection failed.
/// </summary>
internal sealed partial class RedisBlockingReceive(RedisConnection connection, string consumer, ILogger logger) : IDisposable
{
    private static readonly TimeSpan ReplyGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ConnectionMultiplexer? _multiplexer;
    private int _failures;
    private long _retryAt;

    /// <summary>How many messages this path delivered (for tests).</summary>
    internal long Delivered;

    /// <summary>
    /// Blocks up to <paramref name="block"/> for a message, then runs the receive script in adopt mode with
    /// <paramref name="keys"/> and <paramref name="adoptArgs"/>. Returns that script's reply, or null when this path is
    /// unavailable (busy, failing, or not connected) and the caller should wait another way.
    /// </summary>
    public async Task<RedisResult[]?> TryReceiveAsync(RedisKey[] keys, IReadOnlyList<RedisKey> streams, RedisValue[] adoptArgs, TimeSpan block, CancellationToken cancellationToken)
    {
        if (Environment.TickCount64 < Interlocked.Read(ref _retryAt) || !_gate.Wait(0)) return null;
        try
        {
            var multiplexer = _multiplexer ??= await OpenAsync().ConfigureAwait(false);
            if (!multiplexer.IsConnected)
            {
                // It reconnects by itself; until then, wait the other way.
                Failed(new IOException("The blocking receive connection to Redis is not connected."));
                return null;
            }
            var db = multiplexer.GetDatabase();
            // One message per stream is enough to wake up: the adopting script, behind it, takes the rest.
            List<object> read = ["GROUP", adoptArgs[0], consumer, "COUNT", 1, "BLOCK", Math.Max(1L, (long)Math.Ceiling(block.TotalMilliseconds)), "STREAMS"];
            read.AddRange(streams.Select(s => (object)s));
            read.AddRange(streams.Select(_ => (object)">"));
            var woke = db.ExecuteAsync("XREADGROUP", read.ToArray());
            var adopted = db.ScriptEvaluateAsync(RedisScripts.Receive, keys, adoptArgs);
            try
            {
                var reply = await adopted.WaitAsync(block + ReplyGrace, cancellationToken).ConfigureAwait(false);
                var result = (RedisResult[])reply!;
                Interlocked.Add(ref Delivered, (result.Length - RedisBroker.ReplyHead) / 5);
                // An error instead of a wake-up (say, a consumer group deleted under it) would make every wait return
                // at once: wait the other way for a while, which also recreates what is missing.
                try
                {
                    await woke.ConfigureAwait(false);
                    _failures = 0;
                }
                catch (RedisServerException wokeError)
                {
                    Failed(wokeError);
                }
                return result;
            }
            finally
            {
                // Observed either way, so that a read abandoned by a cancellation or a broken connection never
                // surfaces as an unobserved task exception.
                _ = woke.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                _ = adopted.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // A blocked read cannot be taken back: drop the connection, and with it the read.
            Drop();
            throw;
        }
        catch (Exception ex) when (ex is TimeoutException or RedisTimeoutException or ObjectDisposedException)
        {
            // A reply that never came: the connection may be wedged behind the read, so start afresh.
            Drop();
            Failed(ex);
            return null;
        }
        catch (Exception ex) when (ex is RedisException or InvalidCastException)
        {
            Failed(ex);
            return null;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<ConnectionMultiplexer> OpenAsync()
    {
        var configuration = connection.Configuration.Clone();
        configuration.ClientName = "celeriac-receive";
        // Only reads and scripts go this way: no subscription to the multiplexer's reconfiguration channel.
        configuration.ConfigurationChannel = "";
        // A read that blocks must not count as a command that timed out.
        var longest = (int)Math.Min(int.MaxValue, (connection.Options.MaxPollInterval + ReplyGrace).TotalMilliseconds);
        configuration.AsyncTimeout = Math.Max(configuration.AsyncTimeout, longest);
        configuration.SyncTimeout = Math.Max(configuration.SyncTimeout, longest);
        return await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
    }

    private void Failed(Exception exception)
    {
        var failures = ++_failures;
        var backoff = Backoff.Exponential(failures - 1, FirstRetry, LongestRetry);
        Interlocked.Exchange(ref _retryAt, Environment.TickCount64 + (long)backoff.TotalMilliseconds);
        if (failures == 1) LogFailed(exception, backoff.TotalSeconds);
    }

    private void Drop()
    {
        _multiplexer?.Dispose();
        _multiplexer = null;
    }

    public void Dispose() => Drop();

    [LoggerMessage(LogLevel.Warning, "The blocking receive connection to Redis failed; waiting through pub/sub for {Seconds}s before trying it again")]
    private partial void LogFailed(Exception exception, double seconds);
}
