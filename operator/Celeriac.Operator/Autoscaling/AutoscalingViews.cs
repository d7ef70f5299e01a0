using System.Collections.Concurrent;
using Celeriac.Operator.Model;

namespace Celeriac.Operator.Autoscaling;

/// <summary>
/// The autoscaler's latest views by TaskQueue, which the reconciler writes into the status it owns.
/// A scale, a change of reachability or of replicas asks for a status write at once; a depth that merely moved asks
/// at most once per <paramref name="depthRefresh"/>, so a busy queue does not cost a reconcile at every poll.
/// </summary>
public sealed class AutoscalingViews(TimeSpan depthRefresh)
{
    private readonly ConcurrentDictionary<NamespacedName, (TaskQueueAutoscalingView View, DateTimeOffset Requested)> _views = new();

    public TaskQueueAutoscalingView? Get(NamespacedName key) => _views.TryGetValue(key, out var entry) ? entry.View : null;

    /// <returns>True when the status should be written again.</returns>
    public bool Set(NamespacedName key, TaskQueueAutoscalingView view, DateTimeOffset now)
    {
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

    public bool Remove(NamespacedName key) => _views.TryRemove(key, out _);
}
