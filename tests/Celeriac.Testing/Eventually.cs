using System.Diagnostics;
using Xunit;

namespace Celeriac.Testing;

/// <summary>
/// The one way tests wait: poll a condition in short steps until it holds, instead of sleeping a guessed time. The
/// timeout is generous because CI machines are busy; a condition that holds returns at once.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(20);

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test naming <paramref name="what"/> if it never does.</summary>
    public static Task Until(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        Until(() => Task.FromResult(condition()), what, timeout);

    /// <inheritdoc cref="Until(Func{bool}, string, TimeSpan?)"/>
    public static async Task Until(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        if (!await Reached(condition, timeout ?? DefaultTimeout))
            Assert.Fail($"Timed out after {(timeout ?? DefaultTimeout).TotalSeconds:0.#}s waiting until {what}.");
    }

    /// <summary>Reads until the value satisfies <paramref name="done"/> and returns it; fails the test with the last value read if it never does.</summary>
    public static Task<T> Value<T>(Func<T> read, Func<T, bool> done, string what, TimeSpan? timeout = null) =>
        Value(() => Task.FromResult(read()), done, what, timeout);

    /// <inheritdoc cref="Value{T}(Func{T}, Func{T, bool}, string, TimeSpan?)"/>
    public static async Task<T> Value<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var value = await Latest(read, done, limit);
        if (!done(value)) Assert.Fail($"Timed out after {limit.TotalSeconds:0.#}s waiting until {what}; last seen: {value}.");
        return value;
    }

    /// <summary>Waits until <paramref name="condition"/> holds or <paramref name="timeout"/> passes; returns whether it held, for tests that assert on it themselves.</summary>
    public static Task<bool> Reached(Func<bool> condition, TimeSpan timeout) => Reached(() => Task.FromResult(condition()), timeout);

    /// <inheritdoc cref="Reached(Func{bool}, TimeSpan)"/>
    public static async Task<bool> Reached(Func<Task<bool>> condition, TimeSpan timeout) =>
        await Latest(condition, held => held, timeout);

    /// <summary>Reads until the value satisfies <paramref name="done"/> or <paramref name="timeout"/> passes; returns the last value read, for tests that assert on it themselves.</summary>
    public static async Task<T> Latest<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var value = await read();
            if (done(value) || Stopwatch.GetElapsedTime(started) > timeout) return value;
            await Task.Delay(Step);
        }
    }
}
