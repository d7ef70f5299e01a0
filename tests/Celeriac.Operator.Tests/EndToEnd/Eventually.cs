namespace Celeriac.Operator.Tests.EndToEnd;

public static class Eventually
{
    /// <summary>Polls until the condition holds; generous timeout because the machine may be busy.</summary>
    public static async Task HoldsAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting until {what}");
            await Task.Delay(50);
        }
    }
}
