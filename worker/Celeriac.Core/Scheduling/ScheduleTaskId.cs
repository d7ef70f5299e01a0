using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Celeriac.Scheduling;

/// <summary>
/// The task id of a scheduled run, derived from (scope, schedule name, slot), so that every scheduler computes
/// the same id for the same run and a second enqueue of it can be recognised.
/// </summary>
public static class ScheduleTaskId
{
    /// <param name="scope">What owns the schedule: the TaskQueue's uid, or "local" for the worker host.</param>
    public static string For(string scope, string schedule, DateTimeOffset slot)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{scope}\n{schedule}\n{slot.UtcTicks}");
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }
}
