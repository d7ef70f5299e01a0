using System.Diagnostics;

namespace Celeriac.Tests.Infrastructure;

/// <summary>Waits for a condition instead of sleeping a guessed time: generous timeout, short steps.</summary>
public static class Poll
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static Task Until(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        Until(() => Task.FromResult(condition()), what, timeout);

    public static async Task Until(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var started = Stopwatch.GetTimestamp();
        while (!await condition())
        {
            if (Stopwatch.GetElapsedTime(started) > limit)
                Assert.Fail($"Timed out after {limit.TotalSeconds:0.#}s waiting until {what}.");
            await Task.Delay(15);
        }
    }
}
