using System.Collections.Concurrent;
using System.Reflection;

namespace Celeriac;

/// <summary>
/// Text files embedded in an assembly at build, read once: the Lua scripts of the Redis broker, store and kombu transport
/// live as <c>.lua</c> files beside the code that runs them, not as C# strings.
/// </summary>
public static class EmbeddedText
{
    private static readonly ConcurrentDictionary<(Assembly, string), string> Loaded = new();

    /// <param name="path">The resource's logical name, its path in the project with '/' (e.g. <c>Locks/acquire.lua</c>).</param>
    public static string Load(Assembly assembly, string path)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Loaded.GetOrAdd((assembly, path), static key =>
        {
            using var stream = key.Item1.GetManifestResourceStream(key.Item2)
                ?? throw new InvalidOperationException($"{key.Item2} is not embedded in {key.Item1.GetName().Name}.");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        });
    }
}
