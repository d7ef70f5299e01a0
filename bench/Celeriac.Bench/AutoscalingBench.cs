using System.Globalization;
using Celeriac.Operator.Autoscaling;

namespace Celeriac.Bench;

/// <summary>
/// `make bench ARGS=--autoscaling`: the built-in scaler's maths (the operator's <see cref="ScaleMath"/>, one decision
/// per polling interval) on scripted depth series, next to <see cref="KedaDefaultsModel"/>. Decisions only: no pods,
/// no broker, so the figures are exact for the series and deterministic.
/// </summary>
public static class AutoscalingBench
{
    private const int Target = 100;
    private const int Max = 20;
    private const long Burst = 5000;

    public static void Run()
    {
        var builtin = new ScalingPolicy { MinReplicas = 0, MaxReplicas = Max, TargetDepthPerReplica = Target };
        Console.WriteLine($"Autoscaling simulation: target {Target} messages per replica, max {Max}; built-in defaults: polling {Seconds(builtin.PollingInterval)}, " +
            $"max step {builtin.MaxScaleUpStep}, scale-down window {Seconds(builtin.ScaleDownStabilization)}; KEDA defaults model: polling 30 s, cooldown 300 s, HPA sync 15 s, HPA scale-down window 300 s");

        Console.WriteLine($"Burst of {Burst} messages at every phase of a 30 s cycle: time to the first scale decision and to {Max} replicas (mean / worst)");
        foreach (var initial in new[] { 0, 1 })
        {
            var builtinFirst = new List<double>();
            var builtinFull = new List<double>();
            var kedaFirst = new List<double>();
            var kedaFull = new List<double>();
            for (var phase = 0; phase < 30; phase++)
            {
                var at = TimeSpan.FromSeconds(60 + phase);
                long Depth(TimeSpan t) => t >= at ? Burst : 0;
                var policy = builtin with { MinReplicas = initial };
                var steps = ScaleSimulation.Run(policy, t => Depth(t), TimeSpan.FromMinutes(5), initial);
                builtinFirst.Add((steps.First(s => s.Decision.Changed).At - at).TotalSeconds);
                builtinFull.Add((steps.First(s => s.Decision.Replicas == Max).At - at).TotalSeconds);
                var keda = new KedaDefaultsModel(initial, Max, Target).Run(Depth, TimeSpan.FromMinutes(5), initial);
                kedaFirst.Add((keda.First(c => c.At >= at && c.Replicas != initial).At - at).TotalSeconds);
                kedaFull.Add((keda.First(c => c.Replicas == Max).At - at).TotalSeconds);
            }
            Console.WriteLine($"  from {initial} replica(s): built-in first {Stat(builtinFirst)}, all {Stat(builtinFull)} | KEDA model first {Stat(kedaFirst)}, all {Stat(kedaFull)}");
        }

        Console.WriteLine("Scale events in one hour of oscillating depth (min 1 replica)");
        var series = new (string Name, Func<TimeSpan, long> Depth)[]
        {
            ("square 90/110 every 30 s", t => (long)(t.TotalSeconds / 30) % 2 == 0 ? 90 : 110),
            ("sine 50..450, period 2 min", t => 250 + (long)Math.Round(200 * Math.Sin(2 * Math.PI * t.TotalSeconds / 120))),
            ("sine 50..450, period 15 min", t => 250 + (long)Math.Round(200 * Math.Sin(2 * Math.PI * t.TotalSeconds / 900))),
        };
        var hour = TimeSpan.FromHours(1);
        foreach (var (name, depth) in series)
        {
            var policy = builtin with { MinReplicas = 1 };
            Func<TimeSpan, long?> reading = t => depth(t);
            var defaults = ScaleSimulation.ScaleEvents(ScaleSimulation.Run(policy, reading, hour, 1));
            var shortWindow = ScaleSimulation.ScaleEvents(ScaleSimulation.Run(policy with { ScaleDownStabilization = TimeSpan.FromMinutes(1) }, reading, hour, 1));
            var noWindow = ScaleSimulation.ScaleEvents(ScaleSimulation.Run(policy with { ScaleDownStabilization = TimeSpan.Zero }, reading, hour, 1));
            var keda = new KedaDefaultsModel(1, Max, Target).Run(depth, hour, 1).Count - 1;
            Console.WriteLine($"  {name,-28} built-in (5 m window) {defaults,3} | built-in (1 m window) {shortWindow,3} | no window {noWindow,4} | KEDA model {keda,3}");
        }

        BurstAndDrainSimulation.Print();
    }

    private static string Seconds(TimeSpan value) => string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds:0} s");

    private static string Stat(List<double> values) => string.Create(CultureInfo.InvariantCulture, $"{values.Average():0.0} / {values.Max():0} s");
}
