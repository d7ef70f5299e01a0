namespace Celeriac.Demo;

/// <summary>Command-line settings of the main job.</summary>
public sealed record DemoSettings(int Tasks, int Workers, int Concurrency, string Directory, TimeSpan Timeout)
{
    public static DemoSettings Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Unexpected argument '{args[i]}'. Options: --tasks N --workers N --concurrency N --dir PATH --timeout SECONDS");
            values[args[i][2..]] = args[i + 1];
        }
        if (args.Length % 2 != 0) throw new ArgumentException($"Option '{args[^1]}' needs a value.");
        int Int(string key, int fallback) => values.TryGetValue(key, out var v) ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;
        return new DemoSettings(
            Tasks: Int("tasks", 3000),
            Workers: Int("workers", 2),
            Concurrency: Int("concurrency", 16),
            Directory: Path.GetFullPath(values.GetValueOrDefault("dir", ".celeriac-demo")),
            Timeout: TimeSpan.FromSeconds(Int("timeout", 300)));
    }
}
