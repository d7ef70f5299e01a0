namespace Acme.Tasks.Reports;

/// <summary>Bound from <c>Reports</c>.</summary>
public sealed class ReportOptions
{
    public const string Section = "Reports";

    /// <summary>Order exports, CSV files with lines <c>date,customer,amount</c>.</summary>
    public string InputDirectory { get; set; } = "orders";

    public string OutputDirectory { get; set; } = "reports";
}
