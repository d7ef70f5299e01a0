using System.Text.RegularExpressions;
using Celeriac.Operator.Autoscaling.Keda;
using Celeriac.Operator.Model;
using Celeriac.Operator.Rendering;
using Celeriac.Operator.Schema;
using Celeriac.Operator.Scheduling;

namespace Celeriac.Operator.Validation;

/// <summary>
/// Whether a TaskQueue can be rendered; a spec that fails is reported as Degraded with an Event, and its objects are left as
/// they were. Three kinds of check, each written once:
/// <list type="bullet">
/// <item>the CRD's own bounds (types, minimum/maximum, enum, pattern, lengths, list keys), by checking the model against the
/// embedded CRD schema, so objects that never passed an API server (<c>render</c>, an API server without the schema) meet
/// exactly the bounds <c>kubectl apply</c> meets;</item>
/// <item>the CRD's CEL rules (<c>x-kubernetes-validations</c>), which the schema check does not evaluate, again in C#
/// (ValidatorCrdAgreementTests pairs every rule with its check);</item>
/// <item>what no CRD can say: quantities, time zones, cron fields, names that become too long together.</item>
/// </list>
/// Paths are the schema's (<c>spec.pools[0].concurrency</c>). The checks beyond the schema look only at parts the schema
/// check passed, so one mistake is reported once.
/// </summary>
public static partial class TaskQueueValidator
{
    private const int MaxServiceNameLength = 63;
    private const decimal MinimumMemoryCeilingBytes = 64m * 1024 * 1024;
    private static readonly TimeSpan MinimumPollingInterval = TimeSpan.FromMilliseconds(100);

    public static IReadOnlyList<string> Validate(TaskQueue queue)
    {
        var spec = queue.Spec;
        var schemaErrors = StructuralSchemaValidator.Validate(ModelJson.ToNode(spec), TaskQueueSchema.SpecSchema, "$.spec");
        var errors = schemaErrors.Select(e => e.ToString()).ToList();
        bool Clean(string path) => !schemaErrors.Any(e => e.Path == "$." + path || e.Path.StartsWith("$." + path + ".", StringComparison.Ordinal)
            || e.Path.StartsWith("$." + path + "[", StringComparison.Ordinal));

        // CEL: spec.broker, spec.broker.redis, spec.broker.serviceBus, spec.store.redis.
        var brokers = (spec.Broker.Redis is null ? 0 : 1) + (spec.Broker.Sqs is null ? 0 : 1) + (spec.Broker.ServiceBus is null ? 0 : 1);
        if (brokers != 1) errors.Add("spec.broker: set exactly one of redis, sqs, serviceBus");
        if (spec.Broker.Redis is { } redis) CheckRedis(errors, "spec.broker.redis", redis);
        if (spec.Broker.ServiceBus is { } bus && (bus.FullyQualifiedNamespace is null == bus.ConnectionStringSecretRef is null))
            errors.Add("spec.broker.serviceBus: set either fullyQualifiedNamespace (workload identity) or connectionStringSecretRef");
        if (spec.Store?.Redis is { } storeRedis) CheckRedis(errors, "spec.store.redis", storeRedis);
        // CEL: spec.celery.resultBackend.
        if (spec.Celery?.ResultBackend is { } results)
        {
            if (results.Address is null == results.ConnectionStringSecretRef is null)
                errors.Add("spec.celery.resultBackend: set either address or connectionStringSecretRef");
            if (results.ConnectionStringSecretRef is not null && (results.PasswordSecretRef is not null || results.Database is not null))
                errors.Add("spec.celery.resultBackend: passwordSecretRef and database go with address, not with connectionStringSecretRef");
        }
        // Beyond the CRD: kombu's transports are Redis and SQS.
        for (var i = 0; i < spec.Queues.Count; i++)
        {
            if (spec.Queues[i].IsCelery() && spec.Broker.Redis is null && spec.Broker.Sqs is null)
                errors.Add($"spec.queues[{i}].protocol: protocol celery needs a redis or sqs broker (kombu's transports are Celery's side of the queue)");
        }

        var declared = spec.Queues.Select(q => q.Name).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < spec.Pools.Count; i++)
        {
            var pool = spec.Pools[i];
            var at = $"spec.pools[{i}]";
            // CEL: spec (every served queue is declared), resources, autoscaling, env[].
            foreach (var q in pool.Queues.Where(q => !declared.Contains(q)))
                errors.Add($"{at}.queues: queue '{q}' is not declared in spec.queues");
            if (!pool.Resources.Limits.TryGetValue("memory", out var memory))
                errors.Add($"{at}.resources: a memory limit is required (the worker's memory ceiling is derived from it)");
            if (pool.Autoscaling is { } scaling && scaling.MinReplicas > scaling.MaxReplicas)
                errors.Add($"{at}.autoscaling: minReplicas must not exceed maxReplicas");
            if (pool.Autoscaling is { } polled && KubeDuration.TryParse(polled.PollingInterval, out var every) && every < MinimumPollingInterval)
                errors.Add($"{at}.autoscaling.pollingInterval: '{polled.PollingInterval}' is shorter than 100ms");
            for (var e = 0; e < (pool.Env?.Count ?? 0); e++)
            {
                var env = pool.Env![e];
                if (env.Name.StartsWith("Celeriac__", StringComparison.Ordinal))
                    errors.Add($"{at}.env[{e}]: '{env.Name}' is reserved: Celeriac__ variables are set by the operator from the spec");
                if (env.Value is not null && env.ValueFrom is not null) errors.Add($"{at}.env[{e}]: '{env.Name}' sets both value and valueFrom");
            }
            if (!Clean(at)) continue;

            // Beyond the CRD.
            var serviceName = TaskQueueRenderer.ObjectName(queue, pool) + "-metrics";
            if (serviceName.Length > MaxServiceNameLength)
                errors.Add($"{at}: '{serviceName}' is longer than {MaxServiceNameLength} characters; shorten the TaskQueue or pool name");
            foreach (var (name, quantity) in pool.Resources.Limits.Concat(pool.Resources.Requests ?? []))
            {
                if (!Quantity.TryParse(quantity, out _)) errors.Add($"{at}.resources: '{name}' has an invalid quantity '{quantity}'");
            }
            if (memory is not null && Quantity.TryParse(memory, out var bytes))
            {
                if (bytes * pool.MemoryCeilingPercent / 100m < MinimumMemoryCeilingBytes)
                    errors.Add($"{at}.resources.limits.memory: '{memory}' leaves the worker less than 64Mi");
                if (pool.Resources.Requests?.TryGetValue("memory", out var request) == true && Quantity.TryParse(request, out var requestBytes) && requestBytes > bytes)
                    errors.Add($"{at}.resources: the memory request exceeds the memory limit");
            }
            if (pool.Autoscaling is { } waits && KubeDuration.TryParse(waits.TargetQueueWait, out var wait) && wait < TimeSpan.FromSeconds(1))
                errors.Add($"{at}.autoscaling.targetQueueWait: '{waits.TargetQueueWait}' is shorter than 1s");
            if (pool.Autoscaling is { } idle && KubeDuration.TryParse(idle.PollingIntervalAtZero, out var atZero) && atZero < MinimumPollingInterval)
                errors.Add($"{at}.autoscaling.pollingIntervalAtZero: '{idle.PollingIntervalAtZero}' is shorter than 100ms");
            if (ScaledObjectRenderer.UsesKeda(pool) && spec.Broker.Redis?.ConnectionStringSecretRef is not null)
                errors.Add($"{at}.autoscaling.engine: keda needs broker.redis.address (KEDA's redis-streams trigger cannot read a connection string)");
        }

        for (var i = 0; i < (spec.Routes?.Count ?? 0); i++)
        {
            // CEL: spec (every route's queue is declared).
            if (Clean($"spec.routes[{i}]") && spec.Routes![i].Queue is var q && !declared.Contains(q))
                errors.Add($"spec.routes[{i}].queue: queue '{q}' is not declared in spec.queues");
        }

        for (var i = 0; i < (spec.Tasks?.Count ?? 0); i++)
        {
            var task = spec.Tasks![i];
            // CEL: tasks[].
            if (KubeDuration.TryParse(task.SoftTimeLimit, out var soft) && KubeDuration.TryParse(task.TimeLimit, out var hard) && soft > hard)
                errors.Add($"spec.tasks[{i}]: softTimeLimit must not exceed timeLimit");
        }

        for (var i = 0; i < (spec.Schedules?.Count ?? 0); i++)
        {
            var schedule = spec.Schedules![i];
            var at = $"spec.schedules[{i}]";
            // CEL: spec (the schedule's queue is declared), schedules[], schedules[].cron.
            if (schedule.Queue is { } q && !declared.Contains(q)) errors.Add($"{at}.queue: queue '{q}' is not declared in spec.queues");
            if (schedule.Cron is null == schedule.Interval is null) errors.Add($"{at}: set exactly one of cron and interval");
            if (schedule.Cron is { } cron && !CronPattern().IsMatch(cron)) errors.Add($"{at}.cron: '{cron}' must be five space-separated fields or a @macro");
            if (schedule.Interval is { } interval && KubeDuration.TryParse(interval, out var period) && period < TimeSpan.FromSeconds(1))
                errors.Add($"{at}.interval: '{interval}' is shorter than 1s");
            if (!Clean(at) || errors.Any(e => e.StartsWith(at, StringComparison.Ordinal))) continue;

            // Beyond the CRD: the time zone exists (also for an interval, which ignores it), the cron fields are in range.
            try
            {
                Celeriac.Scheduling.ScheduleDefinition.FindZone(schedule.TimeZone);
                ScheduleSpecs.ToDefinition(schedule);
            }
            catch (FormatException e)
            {
                errors.Add($"{at}: {e.Message}");
            }
        }
        return errors;
    }

    private static void CheckRedis(List<string> errors, string at, RedisBrokerSpec redis)
    {
        if (redis.Address is null == redis.ConnectionStringSecretRef is null) errors.Add($"{at}: set either address or connectionStringSecretRef");
        if (redis.ConnectionStringSecretRef is not null && redis.PasswordSecretRef is not null)
            errors.Add($"{at}: passwordSecretRef goes with address, not with connectionStringSecretRef");
    }

    [GeneratedRegex(@"^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|\S+( \S+){4})$")]
    private static partial Regex CronPattern();
}
