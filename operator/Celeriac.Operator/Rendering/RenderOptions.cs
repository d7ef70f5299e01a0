namespace Celeriac.Operator.Rendering;

public sealed record RenderOptions
{
    /// <summary>Render a ServiceMonitor per pool (only when the Prometheus Operator's CRD is installed).</summary>
    public bool ServiceMonitors { get; init; }

    /// <summary>Share of the container memory limit at which the worker recycles, unless the pool says otherwise.</summary>
    public int DefaultMemoryCeilingPercent { get; init; } = 85;

    /// <summary>The worker's default (Celeriac:Worker:ShutdownGrace) when the pool sets none.</summary>
    public TimeSpan DefaultShutdownGrace { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>Added to grace + longest hard time limit, for the release of messages and process exit.</summary>
    public TimeSpan TerminationMargin { get; init; } = TimeSpan.FromSeconds(10);

    public int HttpPort { get; init; } = 8080;
}
