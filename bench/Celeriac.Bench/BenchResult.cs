namespace Celeriac.Bench;

/// <summary>One measured figure and its target; ratio above 1 means better than the target.</summary>
public sealed record BenchResult(string Scenario, string Metric, double Value, double Target, bool HigherIsBetter)
{
    public double Ratio => HigherIsBetter ? Value / Target : Target / Value;

    public override string ToString() =>
        $"{Scenario,-34} {Metric,-22} {Value,12:N1} {Target,12:N1} {Ratio,7:0.00}x {(Ratio >= 1 ? "ok" : "BELOW TARGET")}";
}
