using System.Collections.Concurrent;

namespace Celeriac.Redis;

/// <summary>
/// The Lua scripts of the Redis store and broker, kept as <c>.lua</c> files beside the code that runs them and embedded
/// at build (the broker's in <c>Broker/</c>).
/// </summary>
internal static class RedisLua
{
    private static readonly ConcurrentDictionary<string, string> Loaded = new(StringComparer.Ordinal);

    /// <param name="path">The script's path in this project, e.g. <c>RateLimits/reserve.lua</c>.</param>
    public static string Load(string path) => Loaded.GetOrAdd(path, static p =>
    {
        using var stream = typeof(RedisLua).Assembly.GetManifestResourceStream(p)
            ?? throw new InvalidOperationException($"The Lua script {p} is not embedded in Celeriac.Redis.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });
}
