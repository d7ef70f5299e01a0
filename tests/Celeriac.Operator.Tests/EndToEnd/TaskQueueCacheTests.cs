using System.Globalization;

namespace Celeriac.Operator.Tests.EndToEnd;

/// <summary>
/// The reconciler, the autoscaler and the scheduler read TaskQueues from the one cache the controller's watch fills:
/// while all three work on a TaskQueue, the API server sees one list and the watch, and no read of the TaskQueue itself.
/// </summary>
public sealed class TaskQueueCacheTests : OperatorTestBase, IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("celeriac-cache-").FullName;

    private const string Queue = """
        apiVersion: celeriac.io/v1alpha1
        kind: TaskQueue
        metadata: { name: local, namespace: shop }
        spec:
          image: registry.example.com/local:1.0
          broker: { redis: { address: 'unused:6379' } }
          queues: [ { name: default } ]
          pools:
            - name: general
              queues: [default]
              resources: { limits: { memory: 256Mi } }
              autoscaling: { minReplicas: 1, maxReplicas: 3, targetDepthPerReplica: 200, pollingInterval: 200ms }
          schedules:
            - { name: tick, task: demo.noop, interval: 1s, queue: default, expires: 1m }
        """;

    [Fact]
    public async Task One_list_and_one_watch_serve_the_reconciler_the_autoscaler_and_the_scheduler()
    {
        await StartOperatorAsync(
            brokerOverrides: new Dictionary<string, string?>
            {
                ["Celeriac:Broker:Type"] = "sqlite",
                ["Celeriac:Broker:Sqlite:Path"] = Path.Combine(directory, "celeriac.db"),
            },
            settings: new Dictionary<string, string?> { ["Operator:SchedulerPollPeriod"] = "00:00:00.200" });
        await CreateAsync(Queue);

        await Eventually.Until(() => Deployment("local-general") is not null, "the reconciler applies the pool");
        await Eventually.Until(() => ConditionStatus("local", "BrokerReachable") == "True", "the autoscaler reads the depth");
        await Eventually.Until(() => LastRun() is not null, "the scheduler runs the schedule");
        var first = LastRun()!.Value;
        await Eventually.Until(() => LastRun() >= first.AddSeconds(3), "three more runs");

        var requests = TaskQueueRequests(Api.Requests);
        Assert.Single(requests, r => r.StartsWith("GET ", StringComparison.Ordinal) && !r.Contains("watch=true", StringComparison.Ordinal));
        Assert.Contains(requests, r => r.StartsWith("GET ", StringComparison.Ordinal) && r.Contains("watch=true", StringComparison.Ordinal));
        Assert.DoesNotContain(requests, r => r.StartsWith("GET ", StringComparison.Ordinal) && r.Contains("/taskqueues/local", StringComparison.Ordinal));

        // A changed spec reaches the reconciler through the cache. The test's own edit reads the TaskQueue once per
        // attempt (GET, then PUT); the operator adds no read and no list.
        var before = Api.Requests.Count;
        await UpdateSpecAsync("shop", "local", spec => spec["image"] = "registry.example.com/local:2.0");
        await Eventually.Until(() => Image(Deployment("local-general")!) == "registry.example.com/local:2.0", "the new image is applied");
        var after = TaskQueueRequests(Api.Requests.Skip(before));
        var edits = after.Count(r => r.StartsWith("PUT ", StringComparison.Ordinal));
        Assert.Equal(edits, after.Count(r => r.StartsWith("GET ", StringComparison.Ordinal) && !r.Contains("watch=true", StringComparison.Ordinal)));
    }

    private static List<string> TaskQueueRequests(IEnumerable<string> requests) =>
        [.. requests.Where(r => r.Contains("/apis/celeriac.io/v1alpha1/", StringComparison.Ordinal) && r.Contains("/taskqueues", StringComparison.Ordinal))];

    private DateTimeOffset? LastRun() =>
        TaskQueue("local")?["status"]?["schedules"]?[0]?["lastScheduleTime"]?.GetValue<string>() is { } text
            ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture)
            : null;

    public void Dispose()
    {
        try { Directory.Delete(directory, recursive: true); }
        catch (IOException) { }
    }
}
