namespace Celeriac.ServiceBus.Peer.Tests.Infrastructure;

/// <summary>The one polling helper: waits until a condition holds, or fails with what it last saw.</summary>
public static class Eventually
{
    public static async Task<T> Until<T>(Func<T> read, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = read();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) Assert.Fail($"{what}: not reached within {timeout}; last seen {value}");
            await Task.Delay(20);
        }
    }
}
