namespace Celeriac.Operator.Controller;

/// <summary>What one reconciliation concluded: done, or look again after a delay.</summary>
public sealed record ReconcileResult(string Outcome, TimeSpan? RequeueAfter = null)
{
    public static ReconcileResult Gone { get; } = new("gone");
    public static ReconcileResult Invalid { get; } = new("invalid");
}
