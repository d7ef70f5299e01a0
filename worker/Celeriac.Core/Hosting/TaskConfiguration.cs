using System.Text;
using Microsoft.Extensions.Configuration;

namespace Celeriac.Hosting;

/// <summary>
/// Where a task's policy is configured: <c>Celeriac:Tasks:&lt;task name&gt;</c>. A name with characters that an
/// environment variable cannot carry (<c>fan.item</c>: <c>export Celeriac__Tasks__fan.item__Queue=...</c> fails in a
/// shell) may also be spelt shell-safe, each character other than a letter, digit or underscore replaced by <c>_</c>
/// (<c>Celeriac__Tasks__fan_item__Queue</c>). Where both spellings set a key, the exact one wins.
/// </summary>
public static class TaskConfiguration
{
    public const string SectionName = "Tasks";

    /// <summary><c>fan.item</c> becomes <c>fan_item</c>.</summary>
    public static string ShellSafe(string taskName)
    {
        ArgumentNullException.ThrowIfNull(taskName);
        var safe = new StringBuilder(taskName.Length);
        foreach (var c in taskName) safe.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        return safe.ToString();
    }

    /// <summary>The sections of <paramref name="celeriac"/> to bind a task's options from, in order (the later wins).</summary>
    public static IReadOnlyList<IConfigurationSection> Sections(IConfiguration celeriac, string taskName)
    {
        ArgumentNullException.ThrowIfNull(celeriac);
        var tasks = celeriac.GetSection(SectionName);
        var safe = ShellSafe(taskName);
        return safe == taskName ? [tasks.GetSection(taskName)] : [tasks.GetSection(safe), tasks.GetSection(taskName)];
    }
}
