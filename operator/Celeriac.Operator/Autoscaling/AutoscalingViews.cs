using System.Collections.Concurrent;

namespace Celeriac.Operator.Autoscaling;

/// <summary>
/// The autoscaler's latest views by TaskQueue (namespace/name), which the reconciler writes into the status it owns.
/// A scale, a change of reachability or of replicas asks for a status write at once; a depth that merely moved asks
/// at most once per <paramref name="depthRefresh"/>, so a busy queue does not cost a reconcile at every poll.
/// </summary>
public sealed class AutoscalingViews(TimeSpan depthRefresh)
{
    private readonly ConcurrentDictionary<string, (TaskQueueAutoscalingView View, DateTimeOffset Requested)> _views = new(StringComparer.Ordinal);

    public TaskQueueAutoscalingView? Get(string ns, string name) => _views.TryGetValue(Key(ns, name), out var entry) ? entry.View : null;

    /// <returns>True when the status should be written again.</returns>
    public bool Set(string ns, string name, TaskQueueAutoscalingView view, DateTimeOffset now)
    {
        var key = Key(ns, name);
        var request = true;
        var requested = now;
        if (_views.TryGetValue(key, out var previous))
        {
            if (view.SameAs(previous.View)) request = false;
            else if (view.WithoutDepths().SameAs(previous.View.WithoutDepths())) request = now - previous.Requested >= depthRefresh;
            if (!request) requested = previous.Requested;
        }
        _views[key] = (view, requested);
        return request;
    }

    public bool Remove(string ns, string name) => _views.TryRemove(Key(ns, name), out _);

    private static string Key(string ns, string name) => $"{ns}/{name}";
}
