using Celeriac.Operator.Model;
using Celeriac.Operator.Validation;

namespace Celeriac.Operator.Tests;

public sealed class ValidatorTests
{
    private static IReadOnlyList<string> ErrorsAfter(Action<TaskQueue> change)
    {
        var queue = TestQueues.Parse();
        change(queue);
        return TaskQueueValidator.Validate(queue);
    }

    [Fact]
    public void The_sample_is_valid() => Assert.Empty(TaskQueueValidator.Validate(TestQueues.Parse()));

    [Theory]
    [InlineData("no broker", "exactly one of redis, sqs, serviceBus")]
    [InlineData("two brokers", "exactly one of redis, sqs, serviceBus")]
    [InlineData("undeclared queue", "'nope' is not declared")]
    [InlineData("duplicate pool", "spec.pools: duplicate entry")]
    [InlineData("no memory limit", "spec.pools[1].resources: a memory limit is required")]
    [InlineData("bad memory limit", "spec.pools[1].resources.limits.memory: 'lots' does not match")]
    [InlineData("tiny memory limit", "less than 64Mi")]
    [InlineData("request above limit", "memory request exceeds the memory limit")]
    [InlineData("min above max", "spec.pools[0].autoscaling: minReplicas must not exceed maxReplicas")]
    [InlineData("soft above hard", "spec.tasks[0]: softTimeLimit must not exceed timeLimit")]
    [InlineData("bad duration", "spec.tasks[0].expires: 'tomorrow' does not match")]
    [InlineData("bad cron", "spec.schedules[0].cron: 'every day' must be five space-separated fields or a @macro")]
    [InlineData("bad time zone", "time zone 'Mars/Olympus' is not known")]
    [InlineData("cron out of range", "has a value outside 0-59")]
    [InlineData("cron and interval", "exactly one of cron and interval")]
    [InlineData("neither cron nor interval", "exactly one of cron and interval")]
    [InlineData("bad interval", "spec.schedules[0].interval: 'often' does not match")]
    [InlineData("bad missed-run policy", "spec.schedules[0].missedRunPolicy: 'Always' is not one of")]
    [InlineData("bad starting deadline", "spec.schedules[0].startingDeadline: 'soon' does not match")]
    [InlineData("reserved env", "is reserved")]
    [InlineData("long name", "is longer than 63 characters")]
    [InlineData("duplicate queue", "spec.queues: duplicate entry")]
    [InlineData("redis both", "set either address or connectionStringSecretRef")]
    [InlineData("empty store", "spec.store: 'redis' is required")]
    [InlineData("store redis neither", "spec.store.redis: set either address or connectionStringSecretRef")]
    [InlineData("store password with connection string", "spec.store.redis: passwordSecretRef goes with address")]
    [InlineData("undeclared route queue", "spec.routes[1].queue: queue 'nope' is not declared in spec.queues")]
    [InlineData("bad route pattern", "spec.routes[0].pattern: 'emails.?' does not match")]
    [InlineData("route without queue", "spec.routes[0].queue: ")]
    [InlineData("duplicate route", "spec.routes: duplicate entry")]
    public void Rejects(string what, string expected)
    {
        var errors = ErrorsAfter(q =>
        {
            switch (what)
            {
                case "no broker": q.Spec.Broker = new BrokerSpec(); break;
                case "two brokers": q.Spec.Broker.Redis = new RedisBrokerSpec { Address = "r:6379" }; break;
                case "undeclared queue": q.Spec.Pools[1].Queues = ["nope"]; break;
                case "duplicate pool": q.Spec.Pools[1].Name = "general"; break;
                case "no memory limit": q.Spec.Pools[1].Resources.Limits.Remove("memory"); break;
                case "bad memory limit": q.Spec.Pools[1].Resources.Limits["memory"] = "lots"; break;
                case "tiny memory limit": q.Spec.Pools[1].Resources.Limits["memory"] = "32Mi"; break;
                case "request above limit": q.Spec.Pools[0].Resources.Requests!["memory"] = "2Gi"; break;
                case "min above max": q.Spec.Pools[0].Autoscaling = new AutoscalingSpec { MinReplicas = 5, MaxReplicas = 2 }; break;
                case "soft above hard": q.Spec.Tasks![0].SoftTimeLimit = "1m"; break;
                case "bad duration": q.Spec.Tasks![0].Expires = "tomorrow"; break;
                case "bad cron": q.Spec.Schedules = [new ScheduleSpec { Name = "s", Task = "t", Cron = "every day" }]; break;
                case "bad time zone": q.Spec.Schedules = [new ScheduleSpec { Name = "s", Task = "t", Cron = "0 2 * * *", TimeZone = "Mars/Olympus" }]; break;
                case "cron out of range": q.Spec.Schedules = [new ScheduleSpec { Name = "s", Task = "t", Cron = "61 2 * * *" }]; break;
                case "cron and interval": q.Spec.Schedules = [new ScheduleSpec { Name = "s", Task = "t", Cron = "0 2 * * *", Interval = "1h" }]; break;
                case "neither cron nor interval": q.Spec.Schedules = [new ScheduleSpec { Name = "s", Task = "t" }]; break;
                case "bad interval": q.Spec.Schedules = [new ScheduleSpec { Name = "s", Task = "t", Interval = "often" }]; break;
                case "bad missed-run policy": q.Spec.Schedules = [new ScheduleSpec { Name = "s", Task = "t", Interval = "1h", MissedRunPolicy = "Always" }]; break;
                case "bad starting deadline": q.Spec.Schedules = [new ScheduleSpec { Name = "s", Task = "t", Interval = "1h", StartingDeadline = "soon" }]; break;
                case "reserved env": q.Spec.Pools[0].Env = [new EnvVarSpec { Name = "Celeriac__Worker__Concurrency", Value = "1" }]; break;
                case "long name": q.Metadata.Name = new string('a', 50); break;
                case "duplicate queue": q.Spec.Queues.Add(new QueueSpec { Name = "bulk" }); break;
                case "empty store": q.Spec.Store = new StoreSpec(); break;
                case "store redis neither": q.Spec.Store = new StoreSpec { Redis = new RedisBrokerSpec { KeyPrefix = "x" } }; break;
                case "store password with connection string":
                    q.Spec.Store = new StoreSpec { Redis = new RedisBrokerSpec { ConnectionStringSecretRef = new SecretKeyRef { Name = "a", Key = "b" }, PasswordSecretRef = new SecretKeyRef { Name = "a", Key = "c" } } };
                    break;
                case "undeclared route queue": q.Spec.Routes = [new RouteSpec { Pattern = "emails.*", Queue = "bulk" }, new RouteSpec { Pattern = "reports.*", Queue = "nope" }]; break;
                case "bad route pattern": q.Spec.Routes = [new RouteSpec { Pattern = "emails.?", Queue = "bulk" }]; break;
                case "route without queue": q.Spec.Routes = [new RouteSpec { Pattern = "emails.*" }]; break;
                case "duplicate route": q.Spec.Routes = [new RouteSpec { Pattern = "emails.*", Queue = "bulk" }, new RouteSpec { Pattern = "emails.*", Queue = "urgent" }]; break;
                case "redis both":
                    q.Spec.Broker = new BrokerSpec { Redis = new RedisBrokerSpec { Address = "r:6379", ConnectionStringSecretRef = new SecretKeyRef { Name = "a", Key = "b" } } };
                    break;
            }
        });
        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("1h30m", 5400)]
    [InlineData("500ms", 0.5)]
    [InlineData("1.5m", 90)]
    public void Durations_parse_like_go(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), KubeDuration.Parse(text));
}
