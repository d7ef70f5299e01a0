using Celeriac.Operator.Controller;
using Celeriac.Operator.Tests.Fake;
using Celeriac.Testing.InProcess;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;

namespace Celeriac.Operator.Tests;

public sealed class LeaderElectorTests
{
    private static LeaderElector Elector(IKubernetes client, string identity, TimeProvider? time = null) => new(client,
        new OperatorOptions { LeaseDuration = TimeSpan.FromSeconds(1) }, "celeriac-system", identity, time ?? TimeProvider.System, NullLogger<LeaderElector>.Instance);

    [Fact]
    public async Task A_crashed_leaders_lease_is_taken_once_it_has_not_changed_for_a_lease_duration()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        using var client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = api.Url.ToString() });
        var time = new ManualTimeProvider();
        var a = Elector(client, "a", time);
        var b = Elector(client, "b", time);

        Assert.True(await a.TryAcquireOrRenewAsync(CancellationToken.None));
        Assert.False(await b.TryAcquireOrRenewAsync(CancellationToken.None));
        Assert.True(await a.TryAcquireOrRenewAsync(CancellationToken.None)); // renew
        Assert.False(await b.TryAcquireOrRenewAsync(CancellationToken.None)); // b saw a new renewTime: its clock restarts

        // a stops renewing (crashed). b takes over after a whole lease duration of no change, on b's own clock.
        time.Advance(TimeSpan.FromMilliseconds(900));
        Assert.False(await b.TryAcquireOrRenewAsync(CancellationToken.None));
        time.Advance(TimeSpan.FromMilliseconds(400));
        Assert.True(await b.TryAcquireOrRenewAsync(CancellationToken.None));
        var lease = api.Get("coordination.k8s.io/v1", "leases", "celeriac-system", "celeriac-operator-leader")!;
        Assert.Equal("b", lease["spec"]!["holderIdentity"]!.GetValue<string>());
        Assert.Equal(1, lease["spec"]!["leaseTransitions"]!.GetValue<int>());

        // a comes back: the lease is b's and fresh.
        Assert.False(await a.TryAcquireOrRenewAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Two_candidates_racing_for_a_free_lease_cannot_both_win()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        using var client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = api.Url.ToString() });
        var candidates = Enumerable.Range(0, 6).Select(i => Elector(client, $"c{i}")).ToList();
        var results = await Task.WhenAll(candidates.Select(c => c.TryAcquireOrRenewAsync(CancellationToken.None)));
        Assert.Equal(1, results.Count(r => r));
        var holder = api.Get("coordination.k8s.io/v1", "leases", "celeriac-system", "celeriac-operator-leader")!["spec"]!["holderIdentity"]!.GetValue<string>();
        Assert.Equal($"c{Array.IndexOf(results, true)}", holder);
    }
}
