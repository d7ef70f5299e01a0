using StackExchange.Redis;

namespace Celeriac.Redis;

/// <summary>Key names. A queue's keys share a hash tag, so one script may touch them all on a cluster too.</summary>
internal sealed class RedisKeys(string prefix)
{
    public const string Group = "celeriac";

    public string Prefix { get; } = prefix;
    public RedisKey Queues { get; } = prefix + ":queues";
    public RedisKey Dead { get; } = prefix + ":dead";
    public string Channel { get; } = prefix + ":ready";
    public RedisChannel ReadyChannel { get; } = RedisChannel.Literal(prefix + ":ready");

    private string Tag(string queue) => $"{Prefix}:{{{queue}}}";

    public RedisKey Stream(string queue) => Tag(queue) + ":stream";
    public RedisKey Delayed(string queue) => Tag(queue) + ":delayed";
    public RedisKey Bodies(string queue) => Tag(queue) + ":bodies";
    public RedisKey Leases(string queue) => Tag(queue) + ":leases";
    public RedisKey Seq(string queue) => Tag(queue) + ":seq";
}
