namespace Celeriac.Bench;

/// <summary>
/// A model of what KEDA does with its documented defaults, for comparison with the built-in scaler (docs/autoscaling.md):
/// <list type="bullet">
/// <item>The KEDA operator polls the scaler every pollingInterval (30 s): it activates a pool at zero (0 -> 1) when the
/// depth is above the activation value, and returns it to zero once it has been inactive for cooldownPeriod (300 s).</item>
/// <item>Between 1 and max replicas the HPA decides, every sync period (15 s, here 5 s after KEDA's poll), on the depth
/// KEDA's metrics server reads at that moment: desired = ceil(depth / target), no change within the 10 % tolerance;
/// scale-up without stabilization, at most max(4 pods, 100 %) per 15 s; scale-down to the highest recommendation of the
/// last 300 s (the default stabilization window).</item>
/// </list>
/// Not modelled: metric caching, pod start-up time, the HPA's readiness handling of new pods.
/// </summary>
public sealed class KedaDefaultsModel(int minReplicas, int maxReplicas, int target)
{
    public static readonly TimeSpan PollingInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan CooldownPeriod = TimeSpan.FromSeconds(300);
    public static readonly TimeSpan HpaSyncPeriod = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan HpaSyncOffset = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan ScaleDownWindow = TimeSpan.FromSeconds(300);

    private readonly List<(TimeSpan At, int Replicas)> _recommendations = [];
    private TimeSpan _lastActive = TimeSpan.Zero;

    /// <returns>(time, replicas) at every change, starting with the initial count.</returns>
    public List<(TimeSpan At, int Replicas)> Run(Func<TimeSpan, long> depthAt, TimeSpan duration, int initialReplicas)
    {
        var replicas = initialReplicas;
        var changes = new List<(TimeSpan, int)> { (TimeSpan.Zero, replicas) };
        for (var t = TimeSpan.Zero; t <= duration; t += TimeSpan.FromSeconds(1))
        {
            var at = t;
            var next = Step(t, () => depthAt(at), replicas);
            if (next != replicas)
            {
                replicas = next;
                changes.Add((t, replicas));
            }
        }
        return changes;
    }

    /// <summary>One second of KEDA and the HPA: the replicas at <paramref name="t"/>, given the current ones; the depth is read only when one of them polls.</summary>
    public int Step(TimeSpan t, Func<long> depthAt, int replicas)
    {
        if (t.Ticks % PollingInterval.Ticks == 0)
        {
            var active = depthAt() > 0;
            if (active) _lastActive = t;
            if (active && replicas == 0) return Math.Max(1, minReplicas);
            if (!active && replicas > 0 && minReplicas == 0 && t - _lastActive >= CooldownPeriod) return 0;
            return replicas;
        }
        if ((t - HpaSyncOffset).Ticks % HpaSyncPeriod.Ticks != 0 || replicas == 0) return replicas;
        var depth = depthAt();
        var desired = (int)Math.Ceiling(depth / (double)target);
        if (Math.Abs(depth / ((double)target * replicas) - 1) <= 0.1) desired = replicas;
        desired = Math.Clamp(desired, Math.Max(1, minReplicas), maxReplicas);
        _recommendations.Add((t, desired));
        _recommendations.RemoveAll(r => r.At <= t - ScaleDownWindow);
        return desired > replicas
            ? Math.Min(desired, Math.Max(replicas * 2, replicas + 4))
            : Math.Min(replicas, _recommendations.Max(r => r.Replicas));
    }
}
