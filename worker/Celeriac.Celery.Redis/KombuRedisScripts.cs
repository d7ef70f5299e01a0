namespace Celeriac.Celery.Redis;

/// <summary>
/// The transport's Lua scripts (<c>Scripts/*.lua</c>; each file says its KEYS, ARGV and reply; most start with
/// <c>Scripts/now.lua</c>). Taking a message off a list and recording it as unacknowledged is one script, so a worker
/// that dies in between cannot lose it (kombu's own BRPOP and HSET are two steps). Every later change of a delivery (ack,
/// lease extension, release, dead letter, restore) checks first that the delivery is still this receiver's: the index
/// score it set is still there, so a delivery kombu (or another Celeriac worker) has restored in the meantime is left alone.
/// Scores follow kombu's rule: a message is restored once its score is more than the visibility timeout in the past. A
/// Celeriac lease therefore scores <c>now + lease - visibility timeout</c>, and either side restores it when the lease runs
/// out. Time is the server's (TIME).
/// </summary>
internal static class KombuRedisScripts
{
    public static readonly string Receive = WithNow("receive");
    public static readonly string Ack = Load("ack");
    public static readonly string Extend = WithNow("extend");
    public static readonly string Release = WithNow("release");
    public static readonly string DeadLetter = WithNow("dead_letter");
    public static readonly string Expired = WithNow("expired");
    public static readonly string Restore = WithNow("restore");
    public static readonly string Expel = WithNow("expel");

    private static string Load(string name) => EmbeddedText.Load(typeof(KombuRedisScripts).Assembly, $"Scripts/{name}.lua");

    private static string WithNow(string name) => Load("now") + Load(name);
}
