using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;

namespace Celeriac.Hosting;

/// <summary>
/// The settings files the <c>celeriac-worker</c> host and the <c>celeriac</c> CLI read: <c>appsettings.json</c> and
/// <c>appsettings.{Environment}.json</c> of the working directory, then the file given with <c>--config</c> (or those
/// two files of the directory given). Later files win over earlier ones; environment variables and the command line
/// win over every file.
/// </summary>
public static class ConfigurationFiles
{
    public const string ConfigOption = "--config";

    /// <summary>The environment name of a process without a host: DOTNET_ENVIRONMENT, else ASPNETCORE_ENVIRONMENT, else Production.</summary>
    public static string EnvironmentName() =>
        Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") is { Length: > 0 } dotnet ? dotnet
        : Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") is { Length: > 0 } aspnet ? aspnet
        : "Production";

    /// <summary>The full paths of the files to read, in order; the working directory's are optional, <paramref name="config"/> is not.</summary>
    /// <exception cref="FileNotFoundException"><paramref name="config"/> names neither a file nor a directory.</exception>
    public static IReadOnlyList<(string Path, bool Optional)> Files(string workingDirectory, string environment, string? config)
    {
        var files = new List<(string, bool)>(Pair(workingDirectory, environment));
        if (string.IsNullOrWhiteSpace(config)) return files;
        var full = Path.GetFullPath(config, workingDirectory);
        if (Directory.Exists(full)) files.AddRange(Pair(full, environment));
        else if (File.Exists(full)) files.Add((full, false));
        else throw new FileNotFoundException($"{ConfigOption} '{config}': no such file or directory ({full})", full);
        return files;
    }

    private static IEnumerable<(string, bool)> Pair(string directory, string environment) =>
        [(Path.Combine(directory, "appsettings.json"), true), (Path.Combine(directory, $"appsettings.{environment}.json"), true)];

    /// <summary>
    /// Adds the files as JSON sources where files belong: after the builder's own JSON files (a host's content root),
    /// before its environment variables and command line. A file the builder reads already is not added twice.
    /// </summary>
    public static void Insert(IConfigurationBuilder builder, IEnumerable<(string Path, bool Optional)> files)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var sources = builder.Sources;
        var present = sources.OfType<FileConfigurationSource>().Select(PhysicalPath).Where(p => p is not null).ToHashSet(StringComparer.Ordinal);
        var index = LastIndexOf(sources, s => s is FileConfigurationSource) + 1;
        if (index == 0) index = FirstIndexOf(sources, s => s is EnvironmentVariablesConfigurationSource { Prefix: null or "" }) is var env and >= 0 ? env : sources.Count;
        foreach (var (path, optional) in files)
        {
            if (!present.Add(path)) continue;
            var source = new JsonConfigurationSource { Path = path, Optional = optional, ReloadOnChange = false };
            source.ResolveFileProvider();
            sources.Insert(index++, source);
        }
    }

    /// <summary>The settings files <paramref name="builder"/> read, in order (for the start-up log).</summary>
    public static IReadOnlyList<string> Read(IConfigurationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return [.. builder.Sources.OfType<FileConfigurationSource>()
            .Where(s => s.FileProvider?.GetFileInfo(s.Path ?? "").Exists == true)
            .Select(s => PhysicalPath(s)!)];
    }

    private static string? PhysicalPath(FileConfigurationSource source) =>
        source.FileProvider?.GetFileInfo(source.Path ?? "").PhysicalPath
        ?? (source.Path is { } path && System.IO.Path.IsPathRooted(path) ? path : null);

    private static int LastIndexOf(IList<IConfigurationSource> sources, Func<IConfigurationSource, bool> match)
    {
        for (var i = sources.Count - 1; i >= 0; i--) if (match(sources[i])) return i;
        return -1;
    }

    private static int FirstIndexOf(IList<IConfigurationSource> sources, Func<IConfigurationSource, bool> match)
    {
        for (var i = 0; i < sources.Count; i++) if (match(sources[i])) return i;
        return -1;
    }
}
