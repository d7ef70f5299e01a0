using System.Diagnostics;

namespace Celeriac.Celery.Tests.Infrastructure;

internal static class Poll
{
    /// <summary>Reads until the value satisfies <paramref name="done"/> or <paramref name="timeout"/> passes; returns the last value read.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value) || clock.Elapsed > timeout) return value;
            await Task.Delay(50);
        }
    }
}
