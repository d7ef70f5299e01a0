using System.Diagnostics;
using Celeriac.FanOut;
using Celeriac.Locks;
using Celeriac.RateLimits;
using Celeriac.Results;
using Celeriac.Revocation;
using Celeriac.Workflows;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Celeriac.Testing;

/// <summary>
/// The behaviour every store (rate limits, locks, results, revocations, workflow joins, fan-out progress) must show. A store's test project
/// derives from this class and provides <see cref="CreateStore"/>; stores created in one test share their
/// data, as workers do. Keys are fresh per test. Expiry is checked with short lifetimes and a generous deadline.
/// </summary>
public abstract class TaskStoreContractTests : IAsyncLifetime
{
    private readonly List<IServiceProvider> _stores = [];
    private readonly string _run = Guid.NewGuid().ToString("N")[..10];

    /// <summary>
    /// The store as one process sees it: a service provider with the store's feature services registered
    /// (<c>AddCeleriac(c => c.UseXStore(...))</c>). Providers of one test share their data, as processes do.
    /// </summary>
    protected abstract IServiceProvider CreateStore();

    protected virtual TimeSpan Patience => TimeSpan.FromSeconds(20);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var store in _stores.Distinct().OfType<IAsyncDisposable>()) await store.DisposeAsync();
        _stores.Clear();
    }

    /// <summary>One feature of a new view of the store.</summary>
    private T NewStore<T>() where T : notnull
    {
        var store = CreateStore();
        _stores.Add(store);
        return store.GetRequiredService<T>();
    }

    private string Key(string name) => name + "-" + _run;

    private static CancellationToken None => CancellationToken.None;

    [Fact]
    public async Task Rate_limit_gives_each_ticket_its_own_slot_one_interval_apart()
    {
        var limiter = NewStore<IRateLimiter>();
        var other = NewStore<IRateLimiter>();
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
    public async Task A_rate_limit_slot_within_the_consume_window_is_used_up()
    {
        var limiter = NewStore<IRateLimiter>();
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
    public async Task A_lock_has_one_owner_until_released_by_it()
    {
        var first = NewStore<ITaskLockStore>();
        var second = NewStore<ITaskLockStore>();
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
    public async Task A_lock_expires_when_its_owner_stops_renewing_it()
    {
        var store = NewStore<ITaskLockStore>();
        var key = Key("expiring");
        Assert.Equal("a", await store.AcquireAsync(key, "a", TimeSpan.FromMilliseconds(300), None));
        await Eventually.Until(async () => await store.AcquireAsync(key, "b", TimeSpan.FromMinutes(1), None) == "b", "the expired lock is taken by another owner", Patience);
    }

    [Fact]
    public async Task Results_are_kept_until_they_expire()
    {
        var writer = NewStore<IResultStore>();
        var reader = NewStore<IResultStore>();
        var kept = new TaskResult(Key("kept"), true, "{\"n\":42}", null, null, DateTimeOffset.UnixEpoch.AddDays(20000));
        var failed = new TaskResult(Key("failed"), false, null, "System.InvalidOperationException", "boom", DateTimeOffset.UnixEpoch.AddDays(20000));
        var brief = new TaskResult(Key("brief"), true, "1", null, null, DateTimeOffset.UnixEpoch.AddDays(20000));

        Assert.Null(await reader.GetAsync(kept.TaskId, None));
        await writer.SetAsync(kept, TimeSpan.FromDays(1), None);
        await writer.SetAsync(failed, TimeSpan.FromDays(1), None);
        await writer.SetAsync(brief, TimeSpan.FromMilliseconds(300), None);
        Assert.Equal(kept, await reader.GetAsync(kept.TaskId, None));
        Assert.Equal(failed, await reader.GetAsync(failed.TaskId, None));
        await Eventually.Until(async () => await reader.GetAsync(brief.TaskId, None) is null, "the result past its expiry is gone", Patience);
        Assert.Equal(kept, await reader.GetAsync(kept.TaskId, None));
    }

    [Fact]
    public async Task Revocations_are_listed_until_they_expire()
    {
        var writer = NewStore<IRevocationStore>();
        var reader = NewStore<IRevocationStore>();
        var lasting = Key("lasting");
        var brief = Key("brief");
        await writer.RevokeAsync(lasting, TimeSpan.FromDays(1), None);
        await writer.RevokeAsync(brief, TimeSpan.FromMilliseconds(300), None);
        Assert.Contains(lasting, await reader.GetRevokedAsync(None));
        await Eventually.Until(async () => !(await reader.GetRevokedAsync(None)).Contains(brief), "the revocation past its expiry is gone", Patience);
        Assert.Contains(lasting, await reader.GetRevokedAsync(None));
    }

    [Fact]
    public async Task A_join_hands_all_results_in_order_to_the_member_that_completes_it()
    {
        var first = NewStore<IWorkflowStore>();
        var second = NewStore<IWorkflowStore>();
        var join = Key("join");
        var day = TimeSpan.FromDays(1);

        Assert.Null(await first.JoinAsync(join, 2, 3, "\"c\"", day, None));
        Assert.Null(await second.JoinAsync(join, 0, 3, "{\"n\":1}", day, None));
        // A redelivered member does not count twice, and its first result stays.
        Assert.Null(await first.JoinAsync(join, 0, 3, "\"again\"", day, None));
        var all = await second.JoinAsync(join, 1, 3, "[1,2]", day, None);
        Assert.Equal(["{\"n\":1}", "[1,2]", "\"c\""], all);
        // The completing member, redelivered, gets them again (so a crash before it sent the callback is recovered);
        // any other member never does.
        Assert.Equal(all, await first.JoinAsync(join, 1, 3, "[1,2]", day, None));
        Assert.Null(await first.JoinAsync(join, 2, 3, "\"c\"", day, None));
        Assert.Null(await first.JoinAsync(Key("other-join"), 0, 2, "1", day, None));
    }

    [Fact]
    public async Task Many_members_finishing_together_complete_the_join_exactly_once()
    {
        var stores = Enumerable.Range(0, 4).Select(_ => NewStore<IWorkflowStore>()).ToList();
        const int size = 40;
        var join = Key("crowd");
        using var start = new ManualResetEventSlim();
        var completions = await Task.WhenAll(Enumerable.Range(0, size).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return (Index: i, Results: await stores[i % stores.Count].JoinAsync(join, i, size, i.ToString(System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromDays(1), None));
        })).Append(Task.Run(() =>
        {
            start.Set();
            return (Index: -1, Results: (IReadOnlyList<string>?)null);
        })));
        var completer = Assert.Single(completions, c => c.Results is not null);
        Assert.Equal(Enumerable.Range(0, size).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), completer.Results!);

        // The last two of a chord finishing at the same moment, many times over.
        for (var round = 0; round < 20; round++)
        {
            var pair = Key("pair-" + round);
            await stores[0].JoinAsync(pair, 0, 3, "0", TimeSpan.FromDays(1), None);
            var last = await Task.WhenAll(
                Task.Run(async () => await stores[1].JoinAsync(pair, 1, 3, "1", TimeSpan.FromDays(1), None)),
                Task.Run(async () => await stores[2].JoinAsync(pair, 2, 3, "2", TimeSpan.FromDays(1), None)));
            Assert.Single(last, r => r is not null);
        }
    }

    [Fact]
    public async Task A_join_expires()
    {
        var store = NewStore<IWorkflowStore>();
        var join = Key("brief-join");
        Assert.Null(await store.JoinAsync(join, 0, 2, "0", TimeSpan.FromMilliseconds(300), None));
        // Once expired, the first member's result is gone: the second alone does not complete the group.
        // A real-time TTL, and asking before it ran out would complete the group: wait it out first.
        await Task.Delay(TimeSpan.FromSeconds(1));
        await Eventually.Until(async () => await store.JoinAsync(join, 1, 2, "1", TimeSpan.FromMilliseconds(300), None) is null, "the join past its expiry starts over", Patience);
    }

    [Fact]
    public async Task Fan_out_checkpoints_are_kept_per_key()
    {
        var writer = NewStore<IFanOutProgressStore>();
        var reader = NewStore<IFanOutProgressStore>();
        var key = Key("fanout");
        Assert.Null(await reader.GetCheckpointAsync(key, None));
        await writer.SetCheckpointAsync(key, "{\"position\":\"1000\"}", None);
        await writer.SetCheckpointAsync(Key("other-fanout"), "x", None);
        Assert.Equal("{\"position\":\"1000\"}", await reader.GetCheckpointAsync(key, None));
        await writer.SetCheckpointAsync(key, "{\"position\":\"2000\"}", None);
        Assert.Equal("{\"position\":\"2000\"}", await reader.GetCheckpointAsync(key, None));
    }

    [Fact]
    public async Task Task_name_revocations_are_listed_with_their_time_until_they_expire()
    {
        var writer = NewStore<IRevocationStore>();
        var reader = NewStore<IRevocationStore>();
        var lasting = Key("lasting.task");
        var brief = Key("brief.task");
        var before = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(5);
        await writer.RevokeTaskNameAsync(lasting, TimeSpan.FromDays(1), None);
        await writer.RevokeTaskNameAsync(brief, TimeSpan.FromMilliseconds(300), None);
        var names = await reader.GetRevokedTaskNamesAsync(None);
        Assert.True(names.TryGetValue(lasting, out var at));
        Assert.InRange(at, before, DateTimeOffset.UtcNow + TimeSpan.FromSeconds(5));
        await Eventually.Until(async () => !(await reader.GetRevokedTaskNamesAsync(None)).ContainsKey(brief), "the revoked task name past its expiry is gone", Patience);
        Assert.True((await reader.GetRevokedTaskNamesAsync(None)).ContainsKey(lasting));
        // Task ids and task names are kept apart.
        Assert.DoesNotContain(lasting, await reader.GetRevokedAsync(None));
    }

    [Fact]
    public async Task Revoking_a_task_name_again_moves_its_time_on()
    {
        var store = NewStore<IRevocationStore>();
        var name = Key("again.task");
        await store.RevokeTaskNameAsync(name, TimeSpan.FromDays(1), None);
        var first = (await store.GetRevokedTaskNamesAsync(None))[name];
        await Task.Delay(50);
        await store.RevokeTaskNameAsync(name, TimeSpan.FromDays(1), None);
        Assert.True((await store.GetRevokedTaskNamesAsync(None))[name] > first);
    }
}
