using System.Text.RegularExpressions;
using Celeriac.Operator.Model;
using Celeriac.Operator.Rendering;
using Celeriac.Operator.Scheduling;

namespace Celeriac.Operator.Validation;

/// <summary>
/// Checks beyond the CRD schema (and the schema's CEL rules again, for API servers that skip them):
/// a spec that fails here is reported as Degraded with an Event, and its objects are left as they were.
/// </summary>
public static partial class TaskQueueValidator
{
    private const int MaxServiceNameLength = 63;
    private const decimal MinimumMemoryCeilingBytes = 64m * 1024 * 1024;

    public static IReadOnlyList<string> Validate(TaskQueue queue)
    {
        var errors = new List<string>();
        var spec = queue.Spec;
        if (string.IsNullOrWhiteSpace(spec.Image)) errors.Add("spec.image is required");

        var brokers = (spec.Broker.Redis is null ? 0 : 1) + (spec.Broker.Sqs is null ? 0 : 1) + (spec.Broker.ServiceBus is null ? 0 : 1);
        if (brokers != 1) errors.Add("spec.broker: set exactly one of redis, sqs, serviceBus");
        if (spec.Broker.Redis is { } redis && (redis.Address is null == redis.ConnectionStringSecretRef is null))
            errors.Add("spec.broker.redis: set either address or connectionStringSecretRef");
        if (spec.Broker.ServiceBus is { } bus && (bus.FullyQualifiedNamespace is null == bus.ConnectionStringSecretRef is null))
            errors.Add("spec.broker.serviceBus: set either fullyQualifiedNamespace or connectionStringSecretRef");
        if (spec.Store is { } store)
        {
            if (store.Redis is not { } storeRedis) errors.Add("spec.store: set redis");
            else if (storeRedis.Address is null == storeRedis.ConnectionStringSecretRef is null)
                errors.Add("spec.store.redis: set either address or connectionStringSecretRef");
            else if (storeRedis.ConnectionStringSecretRef is not null && storeRedis.PasswordSecretRef is not null)
                errors.Add("spec.store.redis: passwordSecretRef goes with address, not with connectionStringSecretRef");
        }

        if (spec.Queues.Count == 0) errors.Add("spec.queues: declare at least one queue");
        var declared = new HashSet<string>(StringComparer.Ordinal);
        foreach (var q in spec.Queues)
        {
            if (!declared.Add(q.Name)) errors.Add($"spec.queues: '{q.Name}' is declared twice");
            if (q.Protocol is { } protocol && protocol is not (QueueSpec.CeleriacProtocol or QueueSpec.CeleryProtocol))
                errors.Add($"spec.queues[{q.Name}]: protocol must be celeriac or celery");
            if (q.IsCelery() && spec.Broker.Redis is null && spec.Broker.Sqs is null)
                errors.Add($"spec.queues[{q.Name}]: protocol celery needs a redis or sqs broker (kombu's transports are Celery's side of the queue)");
        }
        if (spec.Celery is { } celery)
        {
            Duration(errors, "spec.celery", "visibilityTimeout", celery.VisibilityTimeout);
            if (celery.ResultBackend is { } results)
            {
                if (results.Address is null == results.ConnectionStringSecretRef is null)
                    errors.Add("spec.celery.resultBackend: set either address or connectionStringSecretRef");
                else if (results.ConnectionStringSecretRef is not null && (results.PasswordSecretRef is not null || results.Database is not null))
                    errors.Add("spec.celery.resultBackend: passwordSecretRef and database go with address, not with connectionStringSecretRef");
            }
        }

        if (spec.Pools.Count == 0) errors.Add("spec.pools: declare at least one pool");
        var poolNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pool in spec.Pools)
        {
            var at = $"spec.pools[{pool.Name}]";
            if (!poolNames.Add(pool.Name)) errors.Add($"{at}: the pool name is used twice");
            if (!DnsLabelPattern().IsMatch(pool.Name)) errors.Add($"{at}: the name must be a DNS label");
            var serviceName = TaskQueueRenderer.ObjectName(queue, pool) + "-metrics";
            if (serviceName.Length > MaxServiceNameLength)
                errors.Add($"{at}: '{serviceName}' is longer than {MaxServiceNameLength} characters; shorten the TaskQueue or pool name");
            if (pool.Queues.Count == 0) errors.Add($"{at}: a pool serves at least one queue");
            foreach (var q in pool.Queues.Where(q => !declared.Contains(q)))
                errors.Add($"{at}: queue '{q}' is not declared in spec.queues");
            if (!pool.Resources.Limits.TryGetValue("memory", out var memory))
                errors.Add($"{at}: resources.limits.memory is required (the worker's memory ceiling is derived from it)");
            else if (!Quantity.TryParse(memory, out var bytes) || bytes <= 0)
                errors.Add($"{at}: resources.limits.memory '{memory}' is not a quantity");
            else if (bytes * (pool.MemoryCeilingPercent ?? 85) / 100m < MinimumMemoryCeilingBytes)
                errors.Add($"{at}: resources.limits.memory '{memory}' leaves the worker less than 64Mi");
            foreach (var (name, quantity) in pool.Resources.Limits.Concat(pool.Resources.Requests ?? []))
            {
                if (!Quantity.TryParse(quantity, out _)) errors.Add($"{at}: resource '{name}' has an invalid quantity '{quantity}'");
            }
            if (pool.Resources.Requests?.TryGetValue("memory", out var request) == true
                && Quantity.TryParse(request, out var requestBytes) && Quantity.TryParse(memory, out var limitBytes) && requestBytes > limitBytes)
                errors.Add($"{at}: the memory request exceeds the memory limit");
            if (pool.Concurrency is < 1) errors.Add($"{at}: concurrency must be at least 1");
            if (pool.ShutdownGrace is { } grace && !KubeDuration.TryParse(grace, out _)) errors.Add($"{at}: shutdownGrace '{grace}' is not a duration");
            if (pool.Autoscaling is { } scaling)
            {
                if ((scaling.MinReplicas ?? 1) > (scaling.MaxReplicas ?? 10)) errors.Add($"{at}: autoscaling.minReplicas exceeds maxReplicas");
                if (scaling.ScaleDownStabilization is { } s && !KubeDuration.TryParse(s, out _)) errors.Add($"{at}: autoscaling.scaleDownStabilization '{s}' is not a duration");
                if (scaling.PollingInterval is { } poll && (!KubeDuration.TryParse(poll, out var every) || every < TimeSpan.FromMilliseconds(100)))
                    errors.Add($"{at}: autoscaling.pollingInterval '{poll}' is not a duration of at least 100ms");
                if (scaling.Engine is { } engine && engine is not (AutoscalingSpec.BuiltinEngine or AutoscalingSpec.KedaEngine))
                    errors.Add($"{at}: autoscaling.engine must be builtin or keda");
                if (scaling.TargetQueueWait is { } wait && (!KubeDuration.TryParse(wait, out var waitSpan) || waitSpan < TimeSpan.FromSeconds(1)))
                    errors.Add($"{at}: autoscaling.targetQueueWait '{wait}' is not a duration of at least 1s");
                if (scaling.PollingIntervalAtZero is { } atZero && (!KubeDuration.TryParse(atZero, out var atZeroSpan) || atZeroSpan < TimeSpan.FromMilliseconds(100)))
                    errors.Add($"{at}: autoscaling.pollingIntervalAtZero '{atZero}' is not a duration of at least 100ms");
                if (scaling.Metric is { } metric && metric is not (AutoscalingSpec.DepthMetric or AutoscalingSpec.SlotsMetric))
                    errors.Add($"{at}: autoscaling.metric must be depth or slots");
                if (scaling.TargetUtilization is < 1 or > 100) errors.Add($"{at}: autoscaling.targetUtilization must be a percent from 1 to 100");
                if (scaling.Engine == AutoscalingSpec.KedaEngine && spec.Broker.Redis?.ConnectionStringSecretRef is not null)
                    errors.Add($"{at}: autoscaling.engine keda needs broker.redis.address (KEDA's redis-streams trigger cannot read a connection string)");
            }
            foreach (var env in pool.Env ?? [])
            {
                if (env.Name.StartsWith("Celeriac__", StringComparison.Ordinal)) errors.Add($"{at}: env '{env.Name}' is reserved; set it through the spec");
                if (env.Value is not null && env.ValueFrom is not null) errors.Add($"{at}: env '{env.Name}' sets both value and valueFrom");
            }
        }

        var taskNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var task in spec.Tasks ?? [])
        {
            var at = $"spec.tasks[{task.Name}]";
            if (!taskNames.Add(task.Name)) errors.Add($"{at}: the task is listed twice");
            var soft = Duration(errors, at, "softTimeLimit", task.SoftTimeLimit);
            var hard = Duration(errors, at, "timeLimit", task.TimeLimit);
            Duration(errors, at, "expires", task.Expires);
            if (soft is { } s && hard is { } h && s > h) errors.Add($"{at}: softTimeLimit exceeds timeLimit");
            if (task.RateLimit is { } rate && !RatePattern().IsMatch(rate)) errors.Add($"{at}: rateLimit '{rate}' must look like 70/s, 10/m or 100/h");
        }

        var scheduleNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var schedule in spec.Schedules ?? [])
        {
            var at = $"spec.schedules[{schedule.Name}]";
            if (!scheduleNames.Add(schedule.Name)) errors.Add($"{at}: the schedule is listed twice");
            if (schedule.Cron is { } cron && !CronPattern().IsMatch(cron)) errors.Add($"{at}: cron '{cron}' must be five fields or a @macro");
            if (schedule.Queue is { } q && !declared.Contains(q)) errors.Add($"{at}: queue '{q}' is not declared in spec.queues");
            if (schedule.TimeZone is { } zone && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
                errors.Add($"{at}: time zone '{zone}' is not known");
            else
            {
                try
                {
                    ScheduleSpecs.ToDefinition(schedule);
                }
                catch (FormatException e)
                {
                    errors.Add($"{at}: {e.Message}");
                }
            }
        }
        return errors;
    }

    private static TimeSpan? Duration(List<string> errors, string at, string field, string? text)
    {
        if (text is null) return null;
        if (KubeDuration.TryParse(text, out var value)) return value;
        errors.Add($"{at}: {field} '{text}' is not a duration like 30s, 5m or 1h30m");
        return null;
    }

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabelPattern();

    [GeneratedRegex(@"^[0-9]+/(s|m|h)$")]
    private static partial Regex RatePattern();

    [GeneratedRegex(@"^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|\S+( \S+){4})$")]
    private static partial Regex CronPattern();
}
