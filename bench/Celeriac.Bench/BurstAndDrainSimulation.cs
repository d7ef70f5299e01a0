using System.Globalization;
using Celeriac.Brokers;
using Celeriac.Operator.Autoscaling;

namespace Celeriac.Bench;

/// <summary>
/// A closed loop of the built-in scaler (<see cref="ScaleMath"/>) and a pool that runs the work: a burst of long tasks
/// arrives at an idle pool at zero; each replica runs <c>concurrency</c> tasks at once, a task takes a fixed time, pods
/// start at once (so the figures are the scaler's own). One step per second; the scaler decides at its polling interval
/// (at pollingIntervalAtZero while at zero). A scale-in that leaves fewer slots than running tasks interrupts the excess
/// (counted, and the tasks go back to the queue): the best case, where only busy pods beyond the remaining slots are
/// removed; without idle-first removal the Deployment controller may remove busy pods even when idle ones exist.
/// </summary>
public static class BurstAndDrainSimulation
{
    public sealed record Result(string Name, double FirstStartSeconds, double DoneSeconds, long ReplicaSeconds, int Peak, int Interrupted, IReadOnlyList<int> Samples);

    public static Result Run(string name, ScalingPolicy policy, int tasks, TimeSpan taskTime, TimeSpan burstAt, TimeSpan duration, TimeSpan sampleEvery)
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var state = ScalerState.Initial;
        var replicas = 0;
        long ready = 0;
        var readySince = new Queue<TimeSpan>();
        var running = new List<TimeSpan>(); // finish times
        var nextPoll = TimeSpan.Zero;
        double? firstStart = null;
        double? done = null;
        long replicaSeconds = 0;
        var peak = 0;
        var interrupted = 0;
        var samples = new List<int>();
        for (var t = TimeSpan.Zero; t <= duration; t += TimeSpan.FromSeconds(1))
        {
            if (t == burstAt)
            {
                ready += tasks;
                for (var i = 0; i < tasks; i++) readySince.Enqueue(t);
            }
            running.RemoveAll(f => f <= t);
            if (t >= nextPoll)
            {
                TimeSpan? age = readySince.Count > 0 ? t - readySince.Peek() : null;
                (var decision, state) = ScaleMath.Decide(policy, state, replicas, new QueueDepth(ready, running.Count, 0), start + t, oldestReadyAge: age);
                var slots = decision.Replicas * policy.Concurrency;
                if (running.Count > slots)
                {
                    var excess = running.Count - slots;
                    interrupted += excess;
                    running.RemoveRange(0, excess);
                    ready += excess;
                    for (var i = 0; i < excess; i++) readySince.Enqueue(t);
                }
                replicas = decision.Replicas;
                nextPoll = t + (replicas == 0 ? policy.PollingIntervalAtZero : policy.PollingInterval);
            }
            var free = replicas * policy.Concurrency - running.Count;
            while (free-- > 0 && ready > 0)
            {
                ready--;
                readySince.Dequeue();
                running.Add(t + taskTime);
                firstStart ??= (t - burstAt).TotalSeconds;
            }
            if (done is null && t > burstAt && ready == 0 && running.Count == 0) done = (t - burstAt).TotalSeconds;
            replicaSeconds += replicas;
            peak = Math.Max(peak, replicas);
            if (t.Ticks % sampleEvery.Ticks == 0) samples.Add(replicas);
        }
        return new Result(name, firstStart ?? double.NaN, done ?? double.NaN, replicaSeconds, peak, interrupted, samples);
    }

    public static void Print()
    {
        const int tasks = 200;
        var taskTime = TimeSpan.FromMinutes(5);
        var burstAt = TimeSpan.FromSeconds(61);
        var duration = TimeSpan.FromMinutes(80);
        var sample = TimeSpan.FromMinutes(5);
        var basis = new ScalingPolicy { MinReplicas = 0, MaxReplicas = 20, TargetDepthPerReplica = 100, Concurrency = 8 };
        var runs = new[]
        {
            Run("depth 100/replica", basis, tasks, taskTime, burstAt, duration, sample),
            Run("depth, no fast zero", basis with { PollingIntervalAtZero = basis.PollingInterval }, tasks, taskTime, burstAt, duration, sample),
            Run("depth + wait 30s", basis with { TargetQueueWait = TimeSpan.FromSeconds(30) }, tasks, taskTime, burstAt, duration, sample),
            Run("slots 80%", basis with { Metric = ScalingMetric.Slots }, tasks, taskTime, burstAt, duration, sample),
        };
        Console.WriteLine($"Burst and drain: {tasks} tasks of {taskTime.TotalMinutes:0} min at t={burstAt.TotalSeconds:0} s on a pool at zero (concurrency 8, max 20, " +
            $"polling 10 s, at zero 2 s, window 5 min, pods start at once); replicas every {sample.TotalMinutes:0} min");
        foreach (var r in runs)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {r.Name,-22} first start {r.FirstStartSeconds,4:0} s | all done {(double.IsNaN(r.DoneSeconds) ? $"> {duration.TotalSeconds - burstAt.TotalSeconds:0}" : r.DoneSeconds.ToString("0", CultureInfo.InvariantCulture)),6} s | replica-seconds {r.ReplicaSeconds,6} | peak {r.Peak,2} | interrupted by scale-in {r.Interrupted,3} | {string.Join(" ", r.Samples)}"));
        }
    }
}
