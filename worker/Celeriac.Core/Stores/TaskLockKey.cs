using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Celeriac.Stores;

/// <summary>The default lock key of a task: its name and a hash of its JSON args.</summary>
public static class TaskLockKey
{
    public static string For(string taskName, JsonElement args) => For(taskName, args.ValueKind == JsonValueKind.Undefined ? "" : args.GetRawText());

    public static string For(string taskName, string argsJson) =>
        "lock:" + taskName + ":" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(argsJson)));
}
