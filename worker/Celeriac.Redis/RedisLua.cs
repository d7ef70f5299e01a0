namespace Celeriac.Redis;

/// <summary>
/// The Lua scripts of the Redis store and broker, kept as <c>.lua</c> files beside the code that runs them and embedded
/// at build (the broker's in <c>Broker/</c>).
/// </summary>
internal static class RedisLua
{
    /// <param name="path">The script's path in this project, e.g. <c>RateLimits/reserve.lua</c>.</param>
    public static string Load(string path) => EmbeddedText.Load(typeof(RedisLua).Assembly, path);
}
