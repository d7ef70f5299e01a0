using System.Text.Json;
using System.Text.Json.Nodes;
using Celeriac.Celery.Protocol;
using Celeriac.Celery.Results;
using StackExchange.Redis;

namespace Celeriac.Celery.Redis;

/// <summary>
/// Celery's Redis result backend: a task's record is the JSON string at <c>celery-task-meta-&lt;id&gt;</c> (with the
/// configured expiry), published on a channel of that name so that a Python <c>AsyncResult.get()</c> waiting on it wakes;
/// a record of SUCCESS is never overwritten (a redelivered task does not undo its result). A chord's header joins in
/// <c>celery-taskset-meta-&lt;group&gt;.j</c> (a sorted set of <c>[1, id, state, result]</c> by member index), with the
/// size at <c>.s</c> and the additions at <c>.t</c>, as Celery 5's <c>on_chord_part_return</c> keeps them, so that Python
/// and .NET members of one chord join together.
/// </summary>
public sealed class RedisCeleryResultBackend : ICeleryResultBackend, IDisposable
{
    public const string TaskKeyPrefix = "celery-task-meta-";
    public const string GroupKeyPrefix = "celery-taskset-meta-";

    private const string Store = """
        local current = redis.call('GET', KEYS[1])
        if current then
          local ok, meta = pcall(cjson.decode, current)
          if ok and type(meta) == 'table' and meta.status == 'SUCCESS' then return 0 end
        end
        if tonumber(ARGV[2]) > 0 then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) else redis.call('SET', KEYS[1], ARGV[1]) end
        redis.call('PUBLISH', KEYS[1], ARGV[1])
        return 1
        """;

    /// <summary>KEYS: .j, .t, .s. ARGV: member, index score, expiry s. The whole header, in order, to the member that completes it (the keys are then deleted).</summary>
    private const string Join = """
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
        local ready = redis.call('ZCARD', KEYS[1])
        local added = tonumber(redis.call('GET', KEYS[2]) or '0')
        local size = redis.call('GET', KEYS[3])
        if tonumber(ARGV[3]) > 0 then
          redis.call('EXPIRE', KEYS[1], ARGV[3])
          redis.call('EXPIRE', KEYS[2], ARGV[3])
          redis.call('EXPIRE', KEYS[3], ARGV[3])
        end
        if not size or ready ~= tonumber(size) + added then return false end
        local all = redis.call('ZRANGE', KEYS[1], 0, -1)
        redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
        return all
        """;

    private readonly IConnectionMultiplexer _redis;
    private readonly bool _ownsConnection;
    private readonly long _expirySeconds;

    public RedisCeleryResultBackend(CeleryResultBackendOptions options)
        : this(RedisUrl.Connect(Required(options)), options)
    {
        _ownsConnection = true;
    }

    public RedisCeleryResultBackend(IConnectionMultiplexer redis, CeleryResultBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        _redis = redis;
        _expirySeconds = (long)Math.Ceiling(options.Expires.TotalSeconds);
    }

    private IDatabase Db => _redis.GetDatabase();

    private static string Required(CeleryResultBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.ConnectionString)
            ? throw new ArgumentException("Celeriac:Celery:ResultBackend:ConnectionString must be set.", nameof(options))
            : options.ConnectionString;
    }

    public async ValueTask StoreAsync(string taskId, JsonObject meta, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        ArgumentNullException.ThrowIfNull(meta);
        await Db.ScriptEvaluateAsync(Store, [TaskKeyPrefix + taskId], [CeleryJson.ToBytes(meta), _expirySeconds]).ConfigureAwait(false);
    }

    public async ValueTask<JsonObject?> GetAsync(string taskId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        var value = await Db.StringGetAsync(TaskKeyPrefix + taskId).ConfigureAwait(false);
        if (value.IsNull) return null;
        try
        {
            return JsonNode.Parse((byte[])value!) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public async ValueTask SetChordSizeAsync(string groupId, int size, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        var key = GroupKeyPrefix + groupId + ".s";
        if (_expirySeconds > 0) await Db.StringSetAsync(key, size, TimeSpan.FromSeconds(_expirySeconds)).ConfigureAwait(false);
        else await Db.StringSetAsync(key, size).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<ChordPart>?> JoinChordAsync(string groupId, string taskId, int? groupIndex, string state, JsonNode? result, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        var member = CeleryJson.ToBytes(new JsonArray(1, taskId, state, result?.DeepClone()));
        RedisKey[] keys = [GroupKeyPrefix + groupId + ".j", GroupKeyPrefix + groupId + ".t", GroupKeyPrefix + groupId + ".s"];
        var joined = await Db.ScriptEvaluateAsync(Join, keys, [member, groupIndex?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "+inf", _expirySeconds]).ConfigureAwait(false);
        if (joined.IsNull) return null;
        var parts = new List<ChordPart>();
        foreach (var item in (RedisResult[])joined!)
        {
            if (JsonNode.Parse((byte[])item!) is JsonArray { Count: 4 } part)
                parts.Add(new ChordPart(CeleryJson.String(part[1]) ?? "", CeleryJson.String(part[2]) ?? CeleryStates.Failure, part[3]?.DeepClone()));
        }
        return parts;
    }

    public void Dispose()
    {
        if (_ownsConnection) _redis.Dispose();
    }
}
