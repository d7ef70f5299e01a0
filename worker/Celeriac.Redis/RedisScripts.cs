namespace Celeriac.Redis;

/// <summary>
/// The broker's Lua scripts (<c>Broker/*.lua</c>; each file says its KEYS, ARGV and reply). Every state change of a
/// queue happens inside one script, so it is atomic with respect to every other worker: a delayed message is moved to
/// the stream exactly once, and a receipt (stream id + delivery number) is checked against the pending entries list
/// before anything is acknowledged, extended, released or dead-lettered. Time is the server's (TIME), so the clocks of
/// the workers never disagree about leases or due times. Most scripts start with <c>Broker/common.lua</c>.
/// </summary>
internal static class RedisScripts
{
    public static readonly string Send = WithCommon("send");

    /// <summary>Converts each entry on its own: one that cannot be run is dead-lettered in this script, the others are handed out.</summary>
    public static readonly string Receive = WithCommon("receive");

    public static readonly string Ack = WithCommon("ack");
    public static readonly string Extend = WithCommon("extend");
    public static readonly string Release = WithCommon("release");
    public static readonly string DeadLetter = WithCommon("dead_letter");
    public static readonly string Depth = WithCommon("depth");
    public static readonly string OldestReady = WithCommon("oldest_ready");
    public static readonly string Sweep = RedisLua.Load("Broker/sweep.lua");
    public static readonly string Orphans = WithCommon("orphans");
    public static readonly string Purge = WithCommon("purge");

    private static string WithCommon(string name) => RedisLua.Load("Broker/common.lua") + "\n" + RedisLua.Load($"Broker/{name}.lua");
}
