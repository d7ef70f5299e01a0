using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Celeriac.Brokers;
using Celeriac.Celery.Protocol;
using Celeriac.Celery.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Celeriac.Celery.Redis;

/// <summary>
/// kombu's Redis transport, as Celery's workers use it, so that Celeriac workers and Celery workers share queues: a send
/// pushes onto the queue's list for the message's priority; a receive pops the lists in kombu's order (every queue's
/// step-0 list first) and records each message in <c>unacked</c> and <c>unacked_index</c>, atomically
/// (<see cref="KombuRedisScripts"/>); an ack forgets it; messages past the visibility timeout, whoever took them, are put
/// back at the front of their queues (with kombu's redelivered marks) as kombu's workers do. What kombu has no notion of
/// lives in keys of Celeriac's own (<see cref="KombuRedisKeys"/>): a delay store for messages that must wait (a release
/// with a delay, a task whose eta is ahead) and the dead letters. A waiting receive looks at the lists again after 1 ms,
/// then at doubling intervals up to <see cref="CeleryRedisOptions.MaxPollInterval"/>.
/// </summary>
public sealed partial class KombuRedisTransport : ICeleryTransport, IDisposable
{
    private const int RestoreBatch = 100;
    private readonly IConnectionMultiplexer _redis;
    private readonly bool _ownsConnection;
    private readonly CeleryRedisOptions _options;
    private readonly KombuRedisKeys _keys;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _declared = new(StringComparer.Ordinal);
    private readonly double _visibility;
    private long _nextRestore;

    /// <summary>A transport on its own connection to <see cref="CeleryRedisOptions.ConnectionString"/>, closed with it.</summary>
    public KombuRedisTransport(CeleryRedisOptions options, TimeProvider? time = null, ILogger<KombuRedisTransport>? logger = null)
        : this(RedisUrl.Connect(Validated(options).ConnectionString!), options, time, logger)
    {
        _ownsConnection = true;
    }

    /// <summary>A transport on a connection the caller owns.</summary>
    public KombuRedisTransport(IConnectionMultiplexer redis, CeleryRedisOptions options, TimeProvider? time = null, ILogger<KombuRedisTransport>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        CeleryRedisOptionsValidator.Instance.ThrowIfInvalid(options);
        _redis = redis;
        _options = options;
        _keys = new KombuRedisKeys(options.KeyPrefix, [.. options.PrioritySteps]);
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _visibility = options.VisibilityTimeout.TotalSeconds;
    }

    private static CeleryRedisOptions Validated(CeleryRedisOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
            throw new ArgumentException("Celeriac:Celery:Redis:ConnectionString must be set (or the broker must be Redis).", nameof(options));
        return options;
    }

    private IDatabase Db => _redis.GetDatabase();

    private static string Invariant(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    // ---- sending ----

    public async ValueTask SendAsync(IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        if (messages.Count == 0) return;
        var now = _time.GetUtcNow();
        var lists = new Dictionary<RedisKey, List<RedisValue>>();
        var calls = new List<Task>();
        foreach (var message in messages)
        {
            ArgumentException.ThrowIfNullOrEmpty(message.Queue, nameof(messages));
            KombuMessage kombu;
            try
            {
                kombu = KombuMessage.Parse(message.Body.Span);
            }
            catch (InvalidCeleryMessageException ex)
            {
                throw new ArgumentException($"Only kombu messages go on kombu's queues ({message.Queue}): {ex.Message}", nameof(messages), ex);
            }
            if (kombu.DeliveryTag is null) throw new ArgumentException($"A kombu message for queue '{message.Queue}' has no properties.delivery_tag.", nameof(messages));
            if (_declared.TryAdd(message.Queue, 0))
                calls.Add(Db.SetAddAsync(_keys.Binding(message.Queue), KombuRedisKeys.QueueBinding(message.Queue)));
            var body = message.Body.ToArray();
            if (message.NotBefore is { } due && due > now)
            {
                calls.Add(Db.SortedSetAddAsync(_keys.Delayed(message.Queue), body, due.ToUnixTimeMilliseconds()));
                continue;
            }
            var list = _keys.List(message.Queue, kombu.Priority);
            if (!lists.TryGetValue(list, out var values)) lists[list] = values = [];
            values.Add(body);
        }
        foreach (var (list, values) in lists) calls.Add(Db.ListLeftPushAsync(list, [.. values]));
        await Task.WhenAll(calls).ConfigureAwait(false);
    }

    // ---- receiving ----

    public async ValueTask<IReadOnlyList<BrokerMessage>> ReceiveAsync(IReadOnlyList<string> queues, int maxMessages, TimeSpan lease, TimeSpan wait, CancellationToken cancellationToken)
    {
        ReceiveArguments.Check(queues, maxMessages, lease, cancellationToken);
        if (queues.Count == 0) return [];

        var (keys, args) = ReceiveCall(queues, maxMessages, lease);
        var started = _time.GetTimestamp();
        var pause = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            var restored = Due() ? await RestoreExpiredAsync().ConfigureAwait(false) : 0;
            var result = (RedisResult[])(await Db.ScriptEvaluateAsync(KombuRedisScripts.Receive, keys, args).ConfigureAwait(false))!;
            if (result.Length > 1) return Parse(queues, result);
            if (restored > 0) continue;
            var remaining = wait - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero) return [];
            await Task.Delay(pause < remaining ? pause : remaining, _time, cancellationToken).ConfigureAwait(false);
            pause = pause * 2 < _options.MaxPollInterval ? pause * 2 : _options.MaxPollInterval;
        }
    }

    private (RedisKey[] Keys, RedisValue[] Args) ReceiveCall(IReadOnlyList<string> queues, int maxMessages, TimeSpan lease)
    {
        var steps = _keys.PrioritySteps.Count;
        var keys = new RedisKey[3 + queues.Count * 2 + queues.Count * steps];
        var args = new RedisValue[4 + queues.Count + queues.Count * steps];
        keys[0] = _keys.Unacked;
        keys[1] = _keys.UnackedIndex;
        keys[2] = _keys.DeadLetters;
        args[0] = maxMessages;
        args[1] = (long)Math.Ceiling(lease.TotalMilliseconds);
        args[2] = Invariant(_visibility);
        args[3] = queues.Count;
        for (var i = 0; i < queues.Count; i++)
        {
            keys[3 + i] = _keys.Delayed(queues[i]);
            keys[3 + queues.Count + i] = _keys.List(queues[i], 0);
            args[4 + i] = queues[i];
        }
        // kombu's order: the step-0 lists of every queue (in the order given), then step 3 of every queue, and so on.
        var k = 3 + queues.Count * 2;
        var a = 4 + queues.Count;
        foreach (var step in _keys.PrioritySteps)
        {
            for (var i = 0; i < queues.Count; i++)
            {
                keys[k++] = _keys.List(queues[i], step);
                args[a++] = i + 1;
            }
        }
        return (keys, args);
    }

    private static List<BrokerMessage> Parse(IReadOnlyList<string> queues, RedisResult[] result)
    {
        var score = (string)result[0]!;
        var messages = new List<BrokerMessage>((result.Length - 1) / 3);
        for (var i = 1; i + 2 < result.Length; i += 3)
        {
            var tag = (string)result[i + 1]!;
            var item = (byte[])result[i + 2]! ?? [];
            messages.Add(new BrokerMessage
            {
                Queue = queues[(int)result[i] - 1],
                Body = item,
                Receipt = tag + "@" + score,
                DeliveryCount = DeliveriesBefore(item) + 1,
                BrokerState = new KombuRedisDelivery(tag, item, score),
            });
        }
        return messages;
    }

    /// <summary>kombu marks a message it put back as redelivered; Celeriac also counts (<see cref="KombuMessage.DeliveriesBefore"/>).</summary>
    private static int DeliveriesBefore(byte[] item)
    {
        try
        {
            return KombuMessage.Parse(item).DeliveriesBefore;
        }
        catch (InvalidCeleryMessageException)
        {
            return 0;
        }
    }

    private bool Due()
    {
        var now = _time.GetTimestamp();
        var due = Interlocked.Read(ref _nextRestore);
        if (now < due) return false;
        var next = now + (long)(_options.RestoreInterval.TotalSeconds * _time.TimestampFrequency);
        return Interlocked.CompareExchange(ref _nextRestore, next, due) == due;
    }

    /// <summary>
    /// Puts back the deliveries past the visibility timeout, whoever took them (kombu's <c>restore_visible</c>): each at the
    /// front of the queues its exchange and routing key lead to, marked redelivered. One with nowhere to go becomes a dead
    /// letter instead of being dropped. Returns how many were put back.
    /// </summary>
    public async Task<int> RestoreExpiredAsync()
    {
        var expired = (RedisResult[])(await Db.ScriptEvaluateAsync(KombuRedisScripts.Expired, [_keys.Unacked, _keys.UnackedIndex],
            [Invariant(_visibility), RestoreBatch]).ConfigureAwait(false))!;
        var restored = 0;
        for (var i = 0; i + 1 < expired.Length; i += 2)
        {
            var tag = (string)expired[i]!;
            var entry = (string)expired[i + 1]!;
            try
            {
                restored += await RestoreAsync(tag, entry).ConfigureAwait(false) ? 1 : 0;
            }
            catch (Exception ex) when (ex is JsonException or InvalidCeleryMessageException or InvalidOperationException)
            {
                LogRestoreFailed(ex, tag);
            }
        }
        if (restored > 0) LogRestored(restored);
        return restored;
    }

    private async Task<bool> RestoreAsync(string tag, string entry)
    {
        if (entry.Length == 0)
        {
            // An index entry without its message (a kombu worker died between its two writes): only forgotten.
            await Db.ScriptEvaluateAsync(KombuRedisScripts.Restore, [_keys.Unacked, _keys.UnackedIndex], [tag, "", Invariant(_visibility), ""]).ConfigureAwait(false);
            return false;
        }
        if (JsonNode.Parse(entry) is not JsonArray { Count: 3 } parts || parts[0] is not JsonObject payload)
            throw new InvalidOperationException("an unacked entry is not [message, exchange, routing_key]");
        var message = KombuMessage.Parse(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        message.MarkRedelivered();
        var body = message.ToBytes();
        var exchange = parts[1]?.GetValue<string>() ?? "";
        var routingKey = parts[2]?.GetValue<string>() ?? "";
        var queues = await LookupAsync(exchange, routingKey).ConfigureAwait(false);
        if (queues.Count == 0)
        {
            var reason = $"put back after the visibility timeout, but no queue is bound to exchange '{exchange}' with routing key '{routingKey}'";
            return (long)await Db.ScriptEvaluateAsync(KombuRedisScripts.Expel, [_keys.Unacked, _keys.UnackedIndex, _keys.DeadLetters],
                [tag, entry, Invariant(_visibility), routingKey, reason, body]).ConfigureAwait(false) == 1;
        }
        RedisKey[] keys = [_keys.Unacked, _keys.UnackedIndex, .. queues.Select(q => _keys.List(q, 0))];
        return (long)await Db.ScriptEvaluateAsync(KombuRedisScripts.Restore, keys, [tag, entry, Invariant(_visibility), body]).ConfigureAwait(false) == 1;
    }

    /// <summary>kombu's <c>_lookup</c> for direct exchanges: the anonymous exchange leads to the queue named by the routing key, any other to the queues bound with that key.</summary>
    private async Task<IReadOnlyList<string>> LookupAsync(string exchange, string routingKey)
    {
        if (exchange.Length == 0) return routingKey.Length == 0 ? [] : [routingKey];
        var members = await Db.SetMembersAsync(_keys.Binding(exchange)).ConfigureAwait(false);
        return [.. members.Select(m => ((string)m!).Split(KombuRedisKeys.Separator))
            .Where(p => p.Length == 3 && p[0] == routingKey && p[2].Length > 0)
            .Select(p => p[2])
            .Distinct(StringComparer.Ordinal)];
    }

    // ---- settling ----

    private static KombuRedisDelivery Delivery(BrokerMessage message) =>
        message.BrokerState as KombuRedisDelivery ?? throw new ArgumentException("The message was not received from kombu's Redis transport.", nameof(message));

    public async ValueTask AckAsync(IReadOnlyList<BrokerMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0) return;
        var args = new List<RedisValue>(messages.Count * 2);
        foreach (var message in messages)
        {
            var delivery = Delivery(message);
            args.Add(delivery.Tag);
            args.Add(await delivery.SettledScoreAsync().ConfigureAwait(false));
        }
        await Db.ScriptEvaluateAsync(KombuRedisScripts.Ack, [_keys.Unacked, _keys.UnackedIndex], [.. args]).ConfigureAwait(false);
    }

    public async ValueTask ExtendLeaseAsync(IReadOnlyList<BrokerMessage> messages, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0) return;
        var deliveries = messages.Select(Delivery).ToList();
        var args = new List<RedisValue>(2 + deliveries.Count * 2) { (long)Math.Ceiling(lease.TotalMilliseconds), Invariant(_visibility) };
        foreach (var delivery in deliveries)
        {
            args.Add(delivery.Tag);
            args.Add(await delivery.SettledScoreAsync().ConfigureAwait(false));
        }
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        foreach (var delivery in deliveries) delivery.Extending(done.Task);
        try
        {
            var scores = (RedisResult[])(await Db.ScriptEvaluateAsync(KombuRedisScripts.Extend, [_keys.UnackedIndex], [.. args]).ConfigureAwait(false))!;
            for (var i = 0; i < deliveries.Count && i < scores.Length; i++)
                if ((string?)scores[i] is { Length: > 0 } score) deliveries[i].Score = score;
        }
        finally
        {
            done.SetResult();
        }
    }

    public async ValueTask ReleaseAsync(BrokerMessage message, TimeSpan delay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var delivery = Delivery(message);
        var body = MarkedRedelivered(delivery.Item);
        var delayed = delay > TimeSpan.Zero;
        await Db.ScriptEvaluateAsync(KombuRedisScripts.Release,
            [_keys.Unacked, _keys.UnackedIndex, delayed ? _keys.Delayed(message.Queue) : _keys.List(message.Queue, 0)],
            [delivery.Tag, await delivery.SettledScoreAsync().ConfigureAwait(false), body, delayed ? "delay" : "back", (long)Math.Ceiling(delay.TotalMilliseconds)]).ConfigureAwait(false);
    }

    private static byte[] MarkedRedelivered(byte[] item)
    {
        var message = KombuMessage.Parse(item);
        message.MarkRedelivered();
        return message.ToBytes();
    }

    public async ValueTask DeadLetterAsync(BrokerMessage message, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(reason);
        var delivery = Delivery(message);
        await Db.ScriptEvaluateAsync(KombuRedisScripts.DeadLetter, [_keys.Unacked, _keys.UnackedIndex, _keys.DeadLetters],
            [delivery.Tag, await delivery.SettledScoreAsync().ConfigureAwait(false), message.Queue, reason.Length == 0 ? "dead-lettered" : reason, delivery.Item]).ConfigureAwait(false);
    }

    // ---- depth and administration ----

    /// <summary>Ready (the lists), in flight (unacknowledged, routed to the queue) and delayed (Celeriac's delay store); messages past the visibility timeout are put back first, so they count as ready.</summary>
    public async ValueTask<QueueDepth> GetDepthAsync(string queue, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        await RestoreExpiredAsync().ConfigureAwait(false);
        var lengths = _keys.Lists(queue).Select(k => Db.ListLengthAsync(k)).ToList();
        var delayed = Db.SortedSetLengthAsync(_keys.Delayed(queue));
        var inFlight = UnackedOfAsync(queue);
        await Task.WhenAll([.. lengths, delayed, inFlight]).ConfigureAwait(false);
        return new QueueDepth(lengths.Sum(t => t.Result), (await inFlight.ConfigureAwait(false)).Count, await delayed.ConfigureAwait(false));
    }

    /// <summary>The tags of the unacknowledged messages routed to <paramref name="queue"/> (by routing key, as Celery routes to its queues).</summary>
    private async Task<List<RedisValue>> UnackedOfAsync(string queue)
    {
        var tags = new List<RedisValue>();
        foreach (var entry in await Db.HashGetAllAsync(_keys.Unacked).ConfigureAwait(false))
        {
            try
            {
                if (JsonNode.Parse((string)entry.Value!) is JsonArray { Count: 3 } parts && CeleryJson.String(parts[2]) == queue) tags.Add(entry.Name);
            }
            catch (JsonException)
            {
            }
        }
        return tags;
    }

    public async ValueTask<IReadOnlyList<string>> ListQueuesAsync(CancellationToken cancellationToken)
    {
        var queues = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in _redis.GetEndPoints())
        {
            var server = _redis.GetServer(endpoint);
            if (server.IsReplica || !server.IsConnected) continue;
            await foreach (var key in server.KeysAsync(Db.Database, _keys.BindingPattern).WithCancellation(cancellationToken).ConfigureAwait(false))
                foreach (var member in await Db.SetMembersAsync(key).ConfigureAwait(false))
                    if (((string)member!).Split(KombuRedisKeys.Separator) is [_, _, { Length: > 0 } queue]) queues.Add(queue);
        }
        return [.. queues];
    }

    public async ValueTask<long> PurgeAsync(string queue, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        // Ready and delayed messages only, as kombu's own purge and every Celeriac broker: what a worker runs (unacked)
        // finishes or returns. Expired leases go back first, so a message nobody runs any more is purged with the ready.
        await RestoreExpiredAsync().ConfigureAwait(false);
        var lists = _keys.Lists(queue).ToList();
        var lengths = await Task.WhenAll(lists.Select(k => Db.ListLengthAsync(k))).ConfigureAwait(false);
        var delayed = await Db.SortedSetLengthAsync(_keys.Delayed(queue)).ConfigureAwait(false);
        await Db.KeyDeleteAsync([.. lists, _keys.Delayed(queue)]).ConfigureAwait(false);
        return lengths.Sum() + delayed;
    }

    public async ValueTask<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string? queue, int limit, CancellationToken cancellationToken)
    {
        var letters = new List<DeadLetter>();
        RedisValue after = "-";
        while (letters.Count < limit)
        {
            var entries = await Db.StreamRangeAsync(_keys.DeadLetters, after, "+", 200).ConfigureAwait(false);
            if (entries.Length == 0) break;
            foreach (var entry in entries)
            {
                var letter = ReadDeadLetter(entry);
                if (queue is null || letter.Queue == queue) letters.Add(letter);
                if (letters.Count == limit) break;
            }
            after = "(" + entries[^1].Id;
        }
        return letters;
    }

    private static DeadLetter ReadDeadLetter(StreamEntry entry)
    {
        var at = long.TryParse((string?)entry["at"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : DateTimeOffset.UnixEpoch;
        return new DeadLetter(entry.Id!, (string?)entry["queue"] ?? "", (byte[]?)entry["body"] ?? [], (string?)entry["reason"] ?? "", at);
    }

    public async ValueTask<int> DeleteDeadLettersAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var valid = ids.Where(IsStreamId).Select(i => (RedisValue)i).ToArray();
        return valid.Length == 0 ? 0 : (int)await Db.StreamDeleteAsync(_keys.DeadLetters, valid).ConfigureAwait(false);
    }

    private static bool IsStreamId(string id)
    {
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && ulong.TryParse(id.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out _)
            && ulong.TryParse(id.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out _);
    }

    public void Dispose()
    {
        if (_ownsConnection) _redis.Dispose();
    }

    [LoggerMessage(LogLevel.Information, "Put back {Count} unacknowledged Celery messages past the visibility timeout")]
    private partial void LogRestored(int count);

    [LoggerMessage(LogLevel.Warning, "An unacknowledged message with tag {Tag} could not be put back; it stays in unacked")]
    private partial void LogRestoreFailed(Exception exception, string tag);
}
