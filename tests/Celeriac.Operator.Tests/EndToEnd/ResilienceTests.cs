using System.Text.Json.Nodes;
using Celeriac.Operator.Tests.Fake;
using k8s;
using k8s.Models;

namespace Celeriac.Operator.Tests.EndToEnd;

/// <summary>Invalid specs, API errors, dropped and expired watches, and leader election.</summary>
public sealed class ResilienceTests : OperatorTestBase
{
    private static string InvalidQueue =>
        TestQueues.Sample.Replace("queues: [urgent]\n", "queues: [missing]\n", StringComparison.Ordinal);

    private IReadOnlyList<JsonObject> Events(string reason) =>
        [.. Api.List("v1", "events", "shop").Where(e => e["reason"]?.GetValue<string>() == reason)];

    [Fact]
    public async Task An_invalid_spec_becomes_Degraded_with_one_Event_and_no_objects_then_recovers_when_fixed()
    {
        var op = await StartOperatorAsync();
        await CreateAsync(InvalidQueue);
        await Eventually.Until(() => ConditionStatus("billing", "Degraded") == "True", "Degraded is True");
        var degraded = Condition("billing", "Degraded")!;
        Assert.Equal("InvalidSpec", degraded["reason"]!.GetValue<string>());
        Assert.Contains("'missing' is not declared", degraded["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("False", ConditionStatus("billing", "Ready"));
        Assert.Empty(Api.List("apps/v1", "deployments", "shop"));
        await Eventually.Until(() => Events("InvalidSpec").Count == 1, "an InvalidSpec Event is recorded");
        var warning = Events("InvalidSpec")[0];
        Assert.Equal("Warning", warning["type"]!.GetValue<string>());
        Assert.Equal("billing", warning["involvedObject"]!["name"]!.GetValue<string>());

        // Another pass over the same invalid spec records no second Event.
        var passes = op.Metrics.ReconcileCount("invalid");
        await UpdateSpecAsync("shop", "billing", spec => spec["pools"]![0]!["concurrency"] = 12);
        await Eventually.Until(() => op.Metrics.ReconcileCount("invalid") > passes, "the changed but still invalid spec is looked at");
        Assert.True(Events("InvalidSpec").Count <= 2, "an Event per generation at most");

        await UpdateSpecAsync("shop", "billing", spec => spec["pools"]![1]!["queues"] = new JsonArray("urgent"));
        await Eventually.Until(() => ConditionStatus("billing", "Degraded") == "False", "Degraded clears");
        await Eventually.Until(() => Deployment("billing-urgent") is not null, "the objects are applied");
    }

    [Fact]
    public async Task A_spec_the_model_cannot_read_is_Degraded_and_the_operator_keeps_serving_other_queues()
    {
        // The fake does not enforce the schema, as an API server without this CRD version's schema would not.
        await StartOperatorAsync();
        await CreateAsync(TestQueues.Sample.Replace("concurrency: 16", "concurrency: lots", StringComparison.Ordinal));
        await Eventually.Until(() => ConditionStatus("billing", "Degraded") == "True", "Degraded is True");
        Assert.Contains("does not match the schema", Condition("billing", "Degraded")!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        await CreateAsync(TestQueues.Sample.Replace("name: billing,", "name: healthy,", StringComparison.Ordinal));
        await Eventually.Until(() => Deployment("healthy-general") is not null, "another queue is still reconciled");
    }

    [Fact]
    public async Task Api_errors_are_retried_with_backoff_until_the_objects_are_applied()
    {
        Api.Fail(r => r.Method == "PATCH" && r.Path.Value!.Contains("/deployments/", StringComparison.Ordinal), 500, 3);
        var op = await StartOperatorAsync();
        await CreateAsync();
        await Eventually.Until(() => Deployment("billing-general") is not null && Deployment("billing-urgent") is not null, "applied despite errors");
        Assert.True(op.Metrics.ReconcileCount("error") >= 1);
        await Eventually.Until(() => ConditionStatus("billing", "Reconciled") == "True", "reconciled");
        Assert.Contains("celeriac_operator_reconcile_total{result=\"error\"}", op.MetricsText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_apply_is_reported_as_an_Event_and_Reconciled_False()
    {
        Api.Fail(r => r.Method == "PATCH" && r.Path.Value!.Contains("/poddisruptionbudgets/", StringComparison.Ordinal), 422, 1000);
        await StartOperatorAsync();
        await CreateAsync();
        await Eventually.Until(() => Events("ApplyFailed").Count >= 1, "an ApplyFailed Event");
        await Eventually.Until(() => Condition("billing", "Reconciled")?["reason"]?.GetValue<string>() == "ApplyFailed", "Reconciled=False ApplyFailed");
        Assert.Equal("False", ConditionStatus("billing", "Reconciled"));
    }

    [Fact]
    public async Task Dropped_and_expired_watches_are_resumed_and_relisted()
    {
        var op = await StartOperatorAsync();
        await CreateAsync();
        await Eventually.Until(() => Deployment("billing-general") is not null, "first queue");

        Api.DropWatches();
        await CreateAsync(TestQueues.Sample.Replace("name: billing,", "name: second,", StringComparison.Ordinal));
        await Eventually.Until(() => Deployment("second-general") is not null, "a queue created after the drop is reconciled");

        // History compacted: resuming from the last version gets 410 Gone, so the operator must relist.
        var lists = Api.Requests.Count(IsTaskQueueList);
        Api.Compact();
        Api.DropWatches();
        await CreateAsync(TestQueues.Sample.Replace("name: billing,", "name: third,", StringComparison.Ordinal));
        await Eventually.Until(() => Deployment("third-general") is not null, "a queue created across the compaction is reconciled");
        await Eventually.Until(() => Api.Requests.Count(IsTaskQueueList) > lists,
            "the TaskQueues were listed again");
        Assert.Contains("celeriac_operator_watch_restarts_total", op.MetricsText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_api_server_is_retried_with_backoff_and_healthz_fails()
    {
        var server = await FakeKubernetesApi.StartAsync();
        var op = await StartOperatorAsync(kubernetes: new KubernetesClientConfiguration { Host = server.Url.ToString() });
        await Eventually.Until(() => server.Requests.Count(r => r.Contains("watch=true", StringComparison.Ordinal)) >= 2, "both watches run");
        await server.DisposeAsync(); // from now on connections are refused
        await Eventually.Until(() => !op.Controller.Healthy, "healthz reports the failing watches");

        // BackoffMax is 1 s here: two watches restart a few times in two seconds, not in a tight loop.
        var before = WatchRestarts(op);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.InRange(WatchRestarts(op) - before, 1, 10);
    }

    private static long WatchRestarts(OperatorInstance op) =>
        long.Parse(System.Text.RegularExpressions.Regex.Match(op.MetricsText(), @"celeriac_operator_watch_restarts_total (\d+)").Groups[1].Value,
            System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Watches_ask_for_bookmarks_and_resume_from_them()
    {
        Api.BookmarkInterval = TimeSpan.FromMilliseconds(200);
        await StartOperatorAsync();
        await CreateAsync();
        await Eventually.Until(() => Deployment("billing-general") is not null, "reconciled");
        var version = long.Parse(TaskQueue("billing")!["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        // A change to another resource moves the global resourceVersion; only a bookmark tells the TaskQueue watch.
        await Kubectl.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease { Metadata = new V1ObjectMeta { Name = "unrelated", NamespaceProperty = "shop" }, Spec = new V1LeaseSpec() }, "shop");
        // Bookmarks come every 200 ms; what the operator has read from its watch stream is not observable from here.
        await Task.Delay(1000);
        Api.DropWatches();
        await Eventually.Until(() => Api.Requests.Any(r => r.Contains("/taskqueues?", StringComparison.Ordinal) && r.Contains("watch=true", StringComparison.Ordinal)
            && ResumedAfter(r, version)), "a watch resumed from a bookmark newer than the last TaskQueue event");
        Assert.All(Api.Requests.Where(r => r.Contains("watch=true", StringComparison.Ordinal)), r => Assert.Contains("allowWatchBookmarks=true", r, StringComparison.Ordinal));
    }

    /// <summary>A list of all TaskQueues (KubernetesClient sends watch=false on a list).</summary>
    private static bool IsTaskQueueList(string request) =>
        request.StartsWith("GET /apis/celeriac.io/v1alpha1/taskqueues", StringComparison.Ordinal) && !request.Contains("watch=true", StringComparison.Ordinal);

    private static bool ResumedAfter(string request, long version)
    {
        var start = request.IndexOf("resourceVersion=", StringComparison.Ordinal) + "resourceVersion=".Length;
        var end = request.IndexOf('&', start);
        return long.TryParse(request[start..(end < 0 ? request.Length : end)], out var v) && v > version;
    }

    [Fact]
    public async Task Of_two_operators_only_the_leader_reconciles_and_the_other_takes_over_when_it_stops()
    {
        var a = await StartOperatorAsync(leaderElection: true, identity: "operator-a");
        var b = await StartOperatorAsync(leaderElection: true, identity: "operator-b");
        await Eventually.Until(() => a.Controller.IsLeading || b.Controller.IsLeading, "one instance leads");
        var (leader, follower) = a.Controller.IsLeading ? (a, b) : (b, a);
        await CreateAsync();
        await Eventually.Until(() => Deployment("billing-general") is not null, "the leader reconciles");
        // A window in which the follower must neither take the lease nor reconcile.
        await Task.Delay(1000);
        Assert.True(leader.Controller.IsLeading);
        Assert.False(follower.Controller.IsLeading);
        Assert.Equal(0, follower.Metrics.ReconcileCount("success") + follower.Metrics.ReconcileCount("error"));
        var lease = Api.Get("coordination.k8s.io/v1", "leases", "celeriac-system", "celeriac-operator-leader")!;
        Assert.Equal(leader == a ? "operator-a" : "operator-b", lease["spec"]!["holderIdentity"]!.GetValue<string>());

        await StopOperatorAsync(leader);
        await Eventually.Until(() => follower.Controller.IsLeading, "the other instance takes over");
        await CreateAsync(TestQueues.Sample.Replace("name: billing,", "name: later,", StringComparison.Ordinal));
        await Eventually.Until(() => Deployment("later-general") is not null, "the new leader reconciles");
        // The Deployment is applied before the pass ends (status written, then counted).
        await Eventually.Until(() => follower.Metrics.ReconcileCount("success") > 0, "the new leader counts its passes");
    }

    [Fact]
    public async Task A_leader_that_cannot_renew_steps_down_and_a_stale_lease_is_taken_over()
    {
        var a = await StartOperatorAsync(leaderElection: true, identity: "operator-a");
        await Eventually.Until(() => a.Controller.IsLeading, "a leads");
        // The API refuses a's lease writes: a must stop acting before its lease could be taken.
        Api.Fail(r => r.Method == "PUT" && r.Path.Value!.Contains("/leases/", StringComparison.Ordinal), 500, 1000);
        await Eventually.Until(() => !a.Controller.IsLeading, "a steps down");
    }
}
