using System.Collections.Concurrent;

namespace Celeriac.Operator.Autoscaling;

/// <summary>The autoscaler's latest views by TaskQueue (namespace/name), which the reconciler writes into the status it owns.</summary>
public sealed class AutoscalingViews
{
    private readonly ConcurrentDictionary<string, TaskQueueAutoscalingView> _views = new(StringComparer.Ordinal);

    public TaskQueueAutoscalingView? Get(string ns, string name) => _views.GetValueOrDefault(Key(ns, name));

    /// <returns>True when the view differs from the previous one (the status should be written again).</returns>
    public bool Set(string ns, string name, TaskQueueAutoscalingView view)
    {
        var key = Key(ns, name);
        var changed = !view.SameAs(_views.GetValueOrDefault(key));
        _views[key] = view;
        return changed;
    }

    public bool Remove(string ns, string name) => _views.TryRemove(Key(ns, name), out _);

    private static string Key(string ns, string name) => $"{ns}/{name}";
}
