using Celeriac.Operator.Autoscaling;
using Celeriac.Operator.Model;

namespace Celeriac.Operator.Tests.Autoscaling;

public sealed class AutoscalingViewsTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;
    private static readonly NamespacedName Billing = new("shop", "billing");

    private static TaskQueueAutoscalingView View(long depth, int desired = 2, bool reachable = true) =>
        new([new PoolAutoscalingView("general", depth, desired, desired, null, null)], reachable, reachable ? null : "down", depth);

    [Fact]
    public void Scales_and_reachability_ask_for_a_status_write_at_once_a_moving_depth_at_most_once_per_refresh()
    {
        var views = new AutoscalingViews(TimeSpan.FromSeconds(30));
        Assert.True(views.Set(Billing, View(100), T0));
        Assert.False(views.Set(Billing, View(100), T0.AddSeconds(1)));
        Assert.False(views.Set(Billing, View(150), T0.AddSeconds(10)));
        Assert.Equal(150, views.Get(Billing)!.QueueDepth); // the reconciler still reads the latest
        Assert.True(views.Set(Billing, View(160, desired: 3), T0.AddSeconds(11)));
        Assert.True(views.Set(Billing, View(160, desired: 3, reachable: false), T0.AddSeconds(12)));
        Assert.True(views.Set(Billing, View(170, desired: 3), T0.AddSeconds(13)));
        Assert.False(views.Set(Billing, View(180, desired: 3), T0.AddSeconds(40)));
        Assert.True(views.Set(Billing, View(190, desired: 3), T0.AddSeconds(43)));
        Assert.True(views.Remove(Billing));
        Assert.Null(views.Get(Billing));
    }
}
