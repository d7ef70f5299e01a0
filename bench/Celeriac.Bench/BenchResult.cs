namespace Celeriac.Bench;

/// <summary>One measured figure and its target; ratio above 1 means better than the target.</summary>
public sealed record BenchResult(string Scenario, string Metric, double Value, double Target, bool HigherIsBetter)
{
    public double Ratio => HigherIsBetter ? Value / Target : Target / Value;

    public override string ToString() =>
        $"{Scenario,-40} {Metric,-22} {Format(Value),12} {Format(Target),12} {Ratio,7:0.00}x {(Ratio >= 1 ? "ok" : "BELOW TARGET")}";

    // Milliseconds need their second decimal; rates do not.
    private static string Format(double value) => value.ToString(value < 100 ? "N2" : "N1", System.Globalization.CultureInfo.InvariantCulture);
}
