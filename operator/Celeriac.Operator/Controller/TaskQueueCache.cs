using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Celeriac.Operator.Model;
using Celeriac.Operator.Validation;

namespace Celeriac.Operator.Controller;

/// <summary>A TaskQueue as the watch last delivered it, read into the model (defaults applied) and validated once.</summary>
public sealed class CachedTaskQueue
{
    private CachedTaskQueue(JsonObject obj, TaskQueue queue, IReadOnlyList<string> errors)
    {
        Object = obj;
        Queue = queue;
        Errors = errors;
    }

    /// <summary>The object as the API server sent it: what Events refer to and where the status written last is read.</summary>
    public JsonObject Object { get; }

    /// <summary>The model; when the spec does not read (<see cref="Errors"/> says why), only its metadata.</summary>
    public TaskQueue Queue { get; }

    /// <summary>Why the spec is invalid; empty when it is valid.</summary>
    public IReadOnlyList<string> Errors { get; }

    public NamespacedName Key => NamespacedName.Of(Queue);

    public bool IsValid => Errors.Count == 0;

    /// <summary>Being deleted: the garbage collector removes what it owns, nothing more is done for it.</summary>
    public bool IsDeleting => Object["metadata"]?["deletionTimestamp"] is not null;

    public static CachedTaskQueue Read(JsonObject obj)
    {
        try
        {
            var queue = ModelJson.ToTaskQueue(obj);
            return new CachedTaskQueue(obj, queue, TaskQueueValidator.Validate(queue));
        }
        catch (JsonException e)
        {
            var metadata = new TaskQueue { Metadata = ModelJson.ToTaskQueue(new JsonObject { ["metadata"] = obj["metadata"]!.DeepClone() }).Metadata };
            return new CachedTaskQueue(obj, metadata, [$"the spec does not match the schema: {e.Message}"]);
        }
    }
}

/// <summary>
/// The TaskQueues, fed by the controller's one watch (a list replaces the contents, each event updates one) and read by
/// the reconciler, the autoscaler and the scheduler, so that none of them fetches, parses or validates a TaskQueue on
/// its own. It is filled while this operator leads; each leadership term starts it empty.
/// </summary>
public sealed class TaskQueueCache
{
    private readonly ConcurrentDictionary<NamespacedName, CachedTaskQueue> _items = new();
    private readonly ConcurrentDictionary<NamespacedName, IReadOnlyList<StatusCondition>> _written = new();
    private TaskCompletionSource _synced = NewSynced();

    public CachedTaskQueue? Get(NamespacedName key) => _items.GetValueOrDefault(key);

    public IReadOnlyList<CachedTaskQueue> All => [.. _items.Values];

    public IReadOnlyList<NamespacedName> Keys => [.. _items.Keys];

    /// <summary>Completes once the TaskQueues have been listed in this term.</summary>
    public Task WaitSyncedAsync(CancellationToken cancellationToken) => _synced.Task.WaitAsync(cancellationToken);

    /// <summary>
    /// The status conditions this operator last wrote for a TaskQueue in this term. Until the watch brings that write
    /// back, the cached object holds older ones; a pass that started from those would move transition times and write
    /// again, so the reconciler starts from these.
    /// </summary>
    public IReadOnlyList<StatusCondition>? WrittenConditions(NamespacedName key) => _written.GetValueOrDefault(key);

    public void RememberWrittenConditions(NamespacedName key, IReadOnlyList<StatusCondition>? conditions)
    {
        if (conditions is null) _written.TryRemove(key, out _);
        else _written[key] = conditions;
    }

    /// <summary>A new term: nothing is known until the next list.</summary>
    public void Clear()
    {
        _items.Clear();
        _written.Clear();
        if (_synced.Task.IsCompleted) _synced = NewSynced();
    }

    /// <summary>A list: its items are the TaskQueues; any other is gone.</summary>
    public void Replace(IEnumerable<JsonObject> items)
    {
        var listed = items.Select(CachedTaskQueue.Read).ToList();
        var keys = listed.Select(q => q.Key).ToHashSet();
        foreach (var key in _items.Keys.Where(k => !keys.Contains(k)))
        {
            _items.TryRemove(key, out _);
            _written.TryRemove(key, out _);
        }
        foreach (var queue in listed) _items[queue.Key] = queue;
        _synced.TrySetResult();
    }

    /// <summary>A watch event.</summary>
    public void Apply(bool deleted, JsonObject obj)
    {
        if (NamespacedName.Of(obj) is not { } key) return;
        if (deleted)
        {
            _items.TryRemove(key, out _);
            _written.TryRemove(key, out _);
        }
        else _items[key] = CachedTaskQueue.Read(obj);
    }

    private static TaskCompletionSource NewSynced() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
