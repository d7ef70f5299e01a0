using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Celeriac.Operator.Brokers;
using Celeriac.Operator.Controller;
using Celeriac.Operator.Kubernetes;
using Celeriac.Operator.Model;
using Celeriac.Scheduling;
using Celeriac.Locks;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Celeriac.Operator.Scheduling;

/// <summary>
/// Enqueues the TaskQueues' schedules while this operator leads (the controller runs it with the reconciler).
/// Level-triggered: each pass, over the TaskQueues of the <see cref="TaskQueueCache"/>, reads status.schedules (the last
/// run and the next slot not yet handled; what this leader wrote itself, as the cache may not have seen it yet), runs what
/// is due through the TaskQueue's broker connection, and writes status.schedules with its own field manager so
/// the reconciler's status fields are left alone. A restarted or new leader continues from the status; a run sent
/// by a leader that died before recording it is recognised by its claim in the broker's store.
/// </summary>
public sealed class TaskQueueScheduler(
    IKubernetes client,
    TaskQueueCache cache,
    TaskQueueBrokers brokers,
    EventRecorder events,
    OperatorOptions options,
    TimeProvider time,
    ILogger<TaskQueueScheduler> logger)
{
    private readonly Dictionary<(NamespacedName Queue, string Schedule), string> _lastFailure = [];

    // status.schedules as this leader last wrote it, by TaskQueue (and uid, for one deleted and created again).
    private readonly Dictionary<NamespacedName, (string? Uid, List<ScheduleStatus> Statuses)> _written = [];

    // Distinct per process life even when Operator:Identity is fixed, so a restarted operator recognises its earlier life's claims.
    private readonly string _owner = $"{options.Identity}/{Guid.NewGuid():N}";

    public string FieldManager => options.FieldManager + "-scheduler";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // A new term continues from the statuses as listed.
        _written.Clear();
        await cache.WaitSyncedAsync(cancellationToken).ConfigureAwait(false);
        while (!cancellationToken.IsCancellationRequested)
        {
            var wake = time.GetUtcNow() + options.SchedulerPollPeriod;
            try
            {
                var queues = cache.All;
                var keys = queues.Select(q => q.Key).ToHashSet();
                foreach (var gone in _written.Keys.Where(k => !keys.Contains(k)).ToList()) _written.Remove(gone);
                foreach (var queue in queues)
                {
                    if (await PassAsync(queue, cancellationToken).ConfigureAwait(false) is { } next && next < wake) wake = next;
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
            {
                SchedulerLog.PassFailed(logger, e);
            }
            var delay = wake - time.GetUtcNow();
            if (delay > TimeSpan.Zero) await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One pass over one TaskQueue; returns the earliest next slot.</summary>
    public async Task<DateTimeOffset?> PassAsync(CachedTaskQueue cached, CancellationToken cancellationToken)
    {
        var obj = cached.Object;
        if (cached.IsDeleting || obj["spec"]?["schedules"] is not JsonArray { Count: > 0 } && obj["status"]?["schedules"] is null)
            return null;
        // An invalid spec is the reconciler's to report; nothing is scheduled from it.
        if (!cached.IsValid) return null;
        var queue = cached.Queue;
        var key = cached.Key;
        var (ns, name) = key;
        var previous = _written.TryGetValue(key, out var written) && written.Uid == queue.Metadata.Uid ? written.Statuses : ReadStatus(obj);
        var statuses = new List<ScheduleStatus>();
        DateTimeOffset? earliest = null;
        ITaskLockStore? claims = null;
        var sent = new List<ScheduleOutcome>();

        foreach (var spec in queue.Spec.Schedules ?? [])
        {
            var schedule = ScheduleSpecs.ToDefinition(spec);
            var old = previous.FirstOrDefault(s => s.Name == spec.Name);
            var state = new ScheduleState(Time(old?.LastScheduleTime), old?.LastTaskId, Time(old?.NextScheduleTime));
            var now = time.GetUtcNow();
            var next = state;
            try
            {
                var outcome = await ScheduleRunner.RunAsync(schedule, state, queue.Metadata.Uid ?? key.ToString(), _owner,
                    async ct =>
                    {
                        var connection = await brokers.GetAsync(queue, ct).ConfigureAwait(false);
                        claims = connection.Services.GetService<ITaskLockStore>();
                        return (connection.Client, claims);
                    }, now, cancellationToken).ConfigureAwait(false);
                next = outcome.State;
                if (outcome.Enqueued is not null) sent.Add(outcome);
                if (outcome.Enqueued is { } enqueued) SchedulerLog.Enqueued(logger, ns, name, spec.Name, spec.Task, enqueued, outcome.Slot!.Value);
                if (outcome.AlreadyEnqueued) SchedulerLog.AlreadyEnqueued(logger, ns, name, spec.Name, outcome.Slot!.Value, outcome.State.LastTaskId!);
                if (outcome.Missed > 0 && !schedule.Suspend)
                {
                    var message = string.Create(CultureInfo.InvariantCulture,
                        $"schedule {spec.Name}: {outcome.Missed} missed run(s) not started ({schedule.MissedRunPolicy}{(outcome.Slot is { } s ? $"; ran the slot of {Format(s)}" : "")})");
                    await events.RecordAsync(obj, EventRecorder.Warning, "MissedSchedule", message, cancellationToken).ConfigureAwait(false);
                }
                _lastFailure.Remove((key, spec.Name));
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
            {
                // Left as it was: the next pass tries the same slot again (while it is still on time for its policy).
                SchedulerLog.EnqueueFailed(logger, e, ns, name, spec.Name);
                if (!_lastFailure.TryGetValue((key, spec.Name), out var last) || last != e.Message)
                {
                    _lastFailure[(key, spec.Name)] = e.Message;
                    await events.RecordAsync(obj, EventRecorder.Warning, "ScheduleFailed", $"schedule {spec.Name}: enqueue of {spec.Task} failed: {e.Message}", cancellationToken).ConfigureAwait(false);
                }
                if (earliest is null || now + options.BackoffBase < earliest) earliest = now + options.BackoffBase;
            }
            statuses.Add(new ScheduleStatus
            {
                Name = spec.Name,
                LastScheduleTime = Format(next.LastScheduleTime),
                LastTaskId = next.LastTaskId,
                NextScheduleTime = Format(next.NextScheduleTime),
            });
            if (next.NextScheduleTime is { } n && (earliest is null || n < earliest)) earliest = n;
        }

        if (!SameStatus(previous, statuses))
        {
            await WriteStatusAsync(queue, statuses, cancellationToken).ConfigureAwait(false);
            _written[key] = (queue.Metadata.Uid, statuses);
        }
        foreach (var outcome in sent) await ScheduleRunner.ReleaseClaimAsync(claims, outcome, cancellationToken).ConfigureAwait(false);
        return earliest;
    }

    private async Task WriteStatusAsync(TaskQueue queue, List<ScheduleStatus> statuses, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["apiVersion"] = TaskQueue.ApiVersionValue,
            ["kind"] = TaskQueue.KindValue,
            ["metadata"] = new JsonObject { ["name"] = queue.Metadata.Name, ["namespace"] = queue.Metadata.Namespace },
            ["status"] = new JsonObject { ["schedules"] = JsonSerializer.SerializeToNode(statuses, ModelJson.Options) },
        };
        await client.ApplyStatusAsync(ResourceTypes.TaskQueues, body, FieldManager, cancellationToken).ConfigureAwait(false);
    }

    private static List<ScheduleStatus> ReadStatus(JsonObject obj)
    {
        try
        {
            return obj["status"]?["schedules"]?.Deserialize<List<ScheduleStatus>>(ModelJson.Options) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static bool SameStatus(List<ScheduleStatus> a, List<ScheduleStatus> b) =>
        JsonNode.DeepEquals(JsonSerializer.SerializeToNode(a, ModelJson.Options), JsonSerializer.SerializeToNode(b, ModelJson.Options));

    private static DateTimeOffset? Time(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var value) ? value : null;

    /// <summary>RFC 3339 in UTC; fractional seconds only when the slot has them (sub-minute intervals).</summary>
    private static string? Format(DateTimeOffset? value) =>
        value?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}
