using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Celeriac.Tasks;

namespace Celeriac.Locks;

/// <summary>
/// The lock key of a task: its name and a hash of its JSON args, or of the named fields only
/// (<see cref="TaskOptions.LockKeyFields"/>), or what the task's own selector returns (<see cref="TaskOptions.LockKey"/>).
/// </summary>
public static class TaskLockKey
{
    public static string For(string taskName, JsonElement args, TaskOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.LockKey is { } selector) return For(taskName, selector(args));
        if (options.LockKeyFields.Count == 0 || args.ValueKind != JsonValueKind.Object)
            return For(taskName, args.ValueKind == JsonValueKind.Undefined ? "" : args.GetRawText());
        // The named fields, by name, whatever their order in the JSON; a missing field counts as null.
        var fields = new StringBuilder();
        foreach (var name in options.LockKeyFields.Order(StringComparer.Ordinal))
        {
            var value = args.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Value;
            fields.Append(name).Append('=').Append(value.ValueKind == JsonValueKind.Undefined ? "null" : value.GetRawText()).Append('\n');
        }
        return For(taskName, fields.ToString());
    }

    public static string For(string taskName, string key) =>
        "lock:" + taskName + ":" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
