using System.Globalization;
using Celeriac.Brokers;
using Celeriac.Operator.Autoscaling;
using Celeriac.Operator.Autoscaling.ScaleIn;
using Celeriac.Registry;

namespace Celeriac.Bench;

/// <summary>
/// A closed loop of a scaler and a pool that runs the work: a burst of long tasks arrives at an idle pool at zero; each
/// pod runs <c>concurrency</c> tasks at once, a task takes its time ±20 % (a fixed pseudo-random series), pods start at once (so the figures are the
/// scaler's own), and a free slot takes the next ready task (the pod with the most free slots first, as competing
/// consumers spread the work). One step per second. The scaler is the built-in one (<see cref="ScaleMath"/>, at its
/// polling interval, at pollingIntervalAtZero while at zero) or <see cref="KedaDefaultsModel"/>.
/// On a scale-in the ReplicaSet controller removes pods in its documented order: the lowest
/// <c>controller.kubernetes.io/pod-deletion-cost</c> first, then the newest. With idle first (the operator's builtin
/// engine with a shared store) the pods carry <see cref="PodDeletionCost"/> and the maths knows how many are idle, so
/// it waits for busy ones up to scaleInBusyWait; without (KEDA, or no registry) no pod carries a cost, so the newest go,
/// busy or not. Every task running on a removed pod is interrupted (counted) and goes back to the queue.
/// </summary>
public static class BurstAndDrainSimulation
{
    public sealed record Result(string Name, double FirstStartSeconds, double DoneSeconds, long ReplicaSeconds, int Peak, int Interrupted, IReadOnlyList<int> Samples);

    /// <summary>Decides the replicas at a second: (time, depth, current replicas, idle pods or null, age of the oldest ready task) → replicas.</summary>
    public delegate int Scaler(TimeSpan t, QueueDepth depth, int replicas, int? idle, TimeSpan? oldestReadyAge);

    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private sealed class Pod(TimeSpan created, int number)
    {
        public TimeSpan Created { get; } = created;
        public int Number { get; } = number;
        public List<(string Id, TimeSpan Started, TimeSpan Finish)> Running { get; } = [];
    }

    /// <summary>The built-in scaler; <paramref name="idleFirst"/>: the pods carry their deletion cost and the maths counts idle pods.</summary>
    public static Scaler Builtin(ScalingPolicy policy, bool idleFirst)
    {
        var state = ScalerState.Initial;
        var nextPoll = TimeSpan.Zero;
        return (t, depth, replicas, idle, age) =>
        {
            if (t < nextPoll) return replicas;
            (var decision, state) = ScaleMath.Decide(policy, state, replicas, depth, Start + t, oldestReadyAge: age, idlePods: idleFirst ? idle : null);
            nextPoll = t + (decision.Replicas == 0 ? policy.PollingIntervalAtZero : policy.PollingInterval);
            return decision.Replicas;
        };
    }

    /// <summary>KEDA with its defaults, on ready plus in-flight messages (as its SQS trigger counts by default).</summary>
    public static Scaler Keda(ScalingPolicy policy)
    {
        var model = new KedaDefaultsModel(policy.MinReplicas, policy.MaxReplicas, policy.TargetDepthPerReplica);
        return (t, depth, replicas, _, _) => model.Step(t, () => depth.Ready + depth.InFlight, replicas);
    }

    public static Result Run(string name, Scaler scaler, bool idleFirst, int concurrency, int tasks, TimeSpan taskTime, TimeSpan burstAt, TimeSpan duration, TimeSpan sampleEvery)
    {
        var pods = new List<Pod>();
        var created = 0;
        var readySince = new Queue<TimeSpan>();
        double? firstStart = null;
        double? done = null;
        long replicaSeconds = 0;
        var peak = 0;
        var interrupted = 0;
        var samples = new List<int>();
        // Task times vary by ±20 % (the same series in every run), so that tasks do not all end at one polling instant.
        var times = new Random(2026);
        for (var t = TimeSpan.Zero; t <= duration; t += TimeSpan.FromSeconds(1))
        {
            if (t == burstAt)
                for (var i = 0; i < tasks; i++) readySince.Enqueue(t);
            foreach (var pod in pods) pod.Running.RemoveAll(r => r.Finish <= t);

            var inFlight = pods.Sum(p => p.Running.Count);
            TimeSpan? age = readySince.Count > 0 ? t - readySince.Peek() : null;
            var wanted = scaler(t, new QueueDepth(readySince.Count, inFlight, 0), pods.Count, pods.Count(p => p.Running.Count == 0), age);
            while (pods.Count < wanted) pods.Add(new Pod(t, created++));
            if (pods.Count > wanted)
            {
                var now = Start + t;
                var removed = pods
                    .OrderBy(p => idleFirst ? PodDeletionCost.Of(Entry(p), now) : 0)
                    .ThenByDescending(p => p.Created).ThenByDescending(p => p.Number)
                    .Take(pods.Count - wanted).ToList();
                foreach (var pod in removed)
                {
                    interrupted += pod.Running.Count;
                    foreach (var _ in pod.Running) readySince.Enqueue(t);
                    pods.Remove(pod);
                }
            }

            while (readySince.Count > 0 && pods.Where(p => p.Running.Count < concurrency).OrderBy(p => p.Running.Count).ThenBy(p => p.Number).FirstOrDefault() is { } free)
            {
                readySince.Dequeue();
                free.Running.Add(("task", t, t + taskTime * (0.8 + 0.4 * times.NextDouble())));
                firstStart ??= (t - burstAt).TotalSeconds;
            }
            if (done is null && t > burstAt && readySince.Count == 0 && pods.All(p => p.Running.Count == 0)) done = (t - burstAt).TotalSeconds;
            replicaSeconds += pods.Count;
            peak = Math.Max(peak, pods.Count);
            if (t.Ticks % sampleEvery.Ticks == 0) samples.Add(pods.Count);
        }
        return new Result(name, firstStart ?? double.NaN, done ?? double.NaN, replicaSeconds, peak, interrupted, samples);

        WorkerInfo Entry(Pod pod) => new()
        {
            Id = $"pod-{pod.Number}",
            Host = $"pod-{pod.Number}",
            InFlight = [.. pod.Running.Select(r => new RunningTask(r.Id, "bench.long", "default", 0, Start + r.Started))],
            InFlightCount = pod.Running.Count,
        };
    }

    public static void Print()
    {
        const int tasks = 200;
        var taskTime = TimeSpan.FromMinutes(5);
        var burstAt = TimeSpan.FromSeconds(61);
        var duration = TimeSpan.FromMinutes(80);
        var sample = TimeSpan.FromMinutes(5);
        var basis = new ScalingPolicy { MinReplicas = 0, MaxReplicas = 20, TargetDepthPerReplica = 100, Concurrency = 8 };
        Result Builtin(string name, ScalingPolicy policy, bool idleFirst = true) =>
            Run(name, BurstAndDrainSimulation.Builtin(policy, idleFirst), idleFirst, policy.Concurrency, tasks, taskTime, burstAt, duration, sample);
        var runs = new[]
        {
            Builtin("depth 100/replica", basis),
            Builtin("depth, no fast zero", basis with { PollingIntervalAtZero = basis.PollingInterval }),
            Builtin("depth + wait 30s", basis with { TargetQueueWait = TimeSpan.FromSeconds(30) }),
            Builtin("slots 80%", basis with { Metric = ScalingMetric.Slots }),
            Builtin("depth, busy wait 10m", basis with { ScaleInBusyWait = TimeSpan.FromMinutes(10) }),
            Builtin("depth, not idle first", basis, idleFirst: false),
            Builtin("slots, not idle first", basis with { Metric = ScalingMetric.Slots }, idleFirst: false),
            Builtin("wait 30s, not idle 1st", basis with { TargetQueueWait = TimeSpan.FromSeconds(30) }, idleFirst: false),
            Run("KEDA defaults model", Keda(basis), idleFirst: false, basis.Concurrency, tasks, taskTime, burstAt, duration, sample),
            // What keda mode renders for metric: slots (a whole number of messages per replica, concurrency × 80 %).
            Run("KEDA model, slots", Keda(basis with { TargetDepthPerReplica = (basis with { Metric = ScalingMetric.Slots }).TargetPerReplica }), idleFirst: false,
                basis.Concurrency, tasks, taskTime, burstAt, duration, sample),
        };
        Console.WriteLine($"Burst and drain: {tasks} tasks of {taskTime.TotalMinutes:0} min ±20 % at t={burstAt.TotalSeconds:0} s on a pool at zero (concurrency 8, max 20, " +
            $"polling 10 s, at zero 2 s, window 5 min, busy wait {KubeDurationText(basis.ScaleInBusyWait)} unless named, pods start at once); replicas every {sample.TotalMinutes:0} min");
        foreach (var r in runs)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {r.Name,-22} first start {r.FirstStartSeconds,4:0} s | all done {(double.IsNaN(r.DoneSeconds) ? $"> {duration.TotalSeconds - burstAt.TotalSeconds:0}" : r.DoneSeconds.ToString("0", CultureInfo.InvariantCulture)),6} s | replica-seconds {r.ReplicaSeconds,6} | peak {r.Peak,2} | interrupted by scale-in {r.Interrupted,3} | {string.Join(" ", r.Samples)}"));
        }
    }

    private static string KubeDurationText(TimeSpan value) => Celeriac.Operator.Model.KubeDuration.Format(value);
}
