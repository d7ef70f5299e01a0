namespace Celeriac.Operator.Rendering;

public sealed record RenderOptions
{
    /// <summary>Render a ServiceMonitor per pool (only when the Prometheus Operator's CRD is installed).</summary>
    public bool ServiceMonitors { get; init; }

    /// <summary>Added to grace + longest hard time limit, for the release of messages and process exit.</summary>
    public TimeSpan TerminationMargin { get; init; } = TimeSpan.FromSeconds(10);

    public int HttpPort { get; init; } = 8080;
}
