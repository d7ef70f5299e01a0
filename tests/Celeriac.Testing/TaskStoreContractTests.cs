using System.Diagnostics;
using Celeriac.Stores;
using Xunit;

namespace Celeriac.Testing;

/// <summary>
/// The behaviour every store (rate limits, locks, results, revocations) must show. A store's test project
/// derives from this class and provides <see cref="CreateStore"/>; stores created in one test share their
/// data, as workers do. Keys are fresh per test. Expiry is checked with short lifetimes and a generous deadline.
/// </summary>
public abstract class TaskStoreContractTests : IAsyncLifetime
{
    private readonly List<object> _stores = [];
    private readonly string _run = Guid.NewGuid().ToString("N")[..10];

    /// <summary>A store implementing all four interfaces.</summary>
    protected abstract object CreateStore();

    protected virtual TimeSpan Patience => TimeSpan.FromSeconds(20);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync()
    {
        foreach (var store in _stores.OfType<IDisposable>()) store.Dispose();
        _stores.Clear();
        return Task.CompletedTask;
    }

    private object NewStore()
    {
        var store = CreateStore();
        _stores.Add(store);
        return store;
    }

    private string Key(string name) => name + "-" + _run;

    private static CancellationToken None => CancellationToken.None;

    private async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Patience)
        {
            if (await condition()) return true;
            await Task.Delay(50);
        }
        return false;
    }

    [Fact]
    public async Task RateLimitGivesEachTicketItsOwnSlotOneIntervalApart()
    {
        var limiter = (IRateLimiter)NewStore();
        var other = (IRateLimiter)NewStore();
        var perMinute = RateLimit.Parse("1/m");
        var key = Key("rate");

        Assert.True(await limiter.ReserveAsync(key, perMinute, "a", TimeSpan.Zero, None) <= TimeSpan.Zero);
        var b = await other.ReserveAsync(key, perMinute, "b", TimeSpan.Zero, None);
        Assert.InRange(b, TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(60));
        // The same ticket finds its slot again instead of taking a new one.
        var bAgain = await limiter.ReserveAsync(key, perMinute, "b", TimeSpan.Zero, None);
        Assert.InRange(bAgain, TimeSpan.FromSeconds(45), b);
        var c = await limiter.ReserveAsync(key, perMinute, "c", TimeSpan.Zero, None);
        Assert.InRange(c, TimeSpan.FromSeconds(105), TimeSpan.FromSeconds(120));
        // Another task type is not held up.
        Assert.True(await limiter.ReserveAsync(Key("other-rate"), perMinute, "a", TimeSpan.Zero, None) <= TimeSpan.Zero);
    }

    [Fact]
    public async Task ARateLimitSlotWithinTheConsumeWindowIsUsedUp()
    {
        var limiter = (IRateLimiter)NewStore();
        var perMinute = RateLimit.Parse("1/m");
        var key = Key("consume");
        await limiter.ReserveAsync(key, perMinute, "a", TimeSpan.Zero, None);
        var first = await limiter.ReserveAsync(key, perMinute, "b", TimeSpan.FromMinutes(2), None);
        Assert.InRange(first, TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(60));
        // "b" used its slot, so asking again is a new start: the slot after it.
        var second = await limiter.ReserveAsync(key, perMinute, "b", TimeSpan.Zero, None);
        Assert.InRange(second, TimeSpan.FromSeconds(105), TimeSpan.FromSeconds(120));
    }

    [Fact]
    public async Task ALockHasOneOwnerUntilReleasedByIt()
    {
        var first = (ITaskLockStore)NewStore();
        var second = (ITaskLockStore)NewStore();
        var key = Key("lock");
        var ttl = TimeSpan.FromMinutes(1);

        Assert.Equal("a", await first.AcquireAsync(key, "a", ttl, None));
        Assert.Equal("a", await second.AcquireAsync(key, "b", ttl, None));
        Assert.Equal("a", await first.AcquireAsync(key, "a", ttl, None));
        await second.ReleaseAsync(key, "b", None);
        Assert.Equal("a", await second.AcquireAsync(key, "b", ttl, None));
        await first.ReleaseAsync(key, "a", None);
        Assert.Equal("b", await second.AcquireAsync(key, "b", ttl, None));
    }

    [Fact]
    public async Task ALockExpiresWhenItsOwnerStopsRenewingIt()
    {
        var store = (ITaskLockStore)NewStore();
        var key = Key("expiring");
        Assert.Equal("a", await store.AcquireAsync(key, "a", TimeSpan.FromMilliseconds(300), None));
        Assert.True(await EventuallyAsync(async () => await store.AcquireAsync(key, "b", TimeSpan.FromMinutes(1), None) == "b"));
    }

    [Fact]
    public async Task ResultsAreKeptUntilTheyExpire()
    {
        var writer = (IResultStore)NewStore();
        var reader = (IResultStore)NewStore();
        var kept = new TaskResult(Key("kept"), true, "{\"n\":42}", null, null, DateTimeOffset.UnixEpoch.AddDays(20000));
        var failed = new TaskResult(Key("failed"), false, null, "System.InvalidOperationException", "boom", DateTimeOffset.UnixEpoch.AddDays(20000));
        var brief = new TaskResult(Key("brief"), true, "1", null, null, DateTimeOffset.UnixEpoch.AddDays(20000));

        Assert.Null(await reader.GetAsync(kept.TaskId, None));
        await writer.SetAsync(kept, TimeSpan.FromDays(1), None);
        await writer.SetAsync(failed, TimeSpan.FromDays(1), None);
        await writer.SetAsync(brief, TimeSpan.FromMilliseconds(300), None);
        Assert.Equal(kept, await reader.GetAsync(kept.TaskId, None));
        Assert.Equal(failed, await reader.GetAsync(failed.TaskId, None));
        Assert.True(await EventuallyAsync(async () => await reader.GetAsync(brief.TaskId, None) is null));
        Assert.Equal(kept, await reader.GetAsync(kept.TaskId, None));
    }

    [Fact]
    public async Task RevocationsAreListedUntilTheyExpire()
    {
        var writer = (IRevocationStore)NewStore();
        var reader = (IRevocationStore)NewStore();
        var lasting = Key("lasting");
        var brief = Key("brief");
        await writer.RevokeAsync(lasting, TimeSpan.FromDays(1), None);
        await writer.RevokeAsync(brief, TimeSpan.FromMilliseconds(300), None);
        Assert.Contains(lasting, await reader.GetRevokedAsync(None));
        Assert.True(await EventuallyAsync(async () => !(await reader.GetRevokedAsync(None)).Contains(brief)));
        Assert.Contains(lasting, await reader.GetRevokedAsync(None));
    }

    [Fact]
    public async Task TaskNameRevocationsAreListedWithTheirTimeUntilTheyExpire()
    {
        var writer = (IRevocationStore)NewStore();
        var reader = (IRevocationStore)NewStore();
        var lasting = Key("lasting.task");
        var brief = Key("brief.task");
        var before = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(5);
        await writer.RevokeTaskNameAsync(lasting, TimeSpan.FromDays(1), None);
        await writer.RevokeTaskNameAsync(brief, TimeSpan.FromMilliseconds(300), None);
        var names = await reader.GetRevokedTaskNamesAsync(None);
        Assert.True(names.TryGetValue(lasting, out var at));
        Assert.InRange(at, before, DateTimeOffset.UtcNow + TimeSpan.FromSeconds(5));
        Assert.True(await EventuallyAsync(async () => !(await reader.GetRevokedTaskNamesAsync(None)).ContainsKey(brief)));
        Assert.True((await reader.GetRevokedTaskNamesAsync(None)).ContainsKey(lasting));
        // Task ids and task names are kept apart.
        Assert.DoesNotContain(lasting, await reader.GetRevokedAsync(None));
    }

    [Fact]
    public async Task RevokingATaskNameAgainMovesItsTimeOn()
    {
        var store = (IRevocationStore)NewStore();
        var name = Key("again.task");
        await store.RevokeTaskNameAsync(name, TimeSpan.FromDays(1), None);
        var first = (await store.GetRevokedTaskNamesAsync(None))[name];
        await Task.Delay(50);
        await store.RevokeTaskNameAsync(name, TimeSpan.FromDays(1), None);
        Assert.True((await store.GetRevokedTaskNamesAsync(None))[name] > first);
    }
}
