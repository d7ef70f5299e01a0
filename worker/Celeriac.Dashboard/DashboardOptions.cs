namespace Celeriac.Dashboard;

/// <summary>The dashboard (<c>celeriac dashboard</c>), bound from <c>Celeriac:Dashboard</c>.</summary>
public sealed class DashboardOptions
{
    /// <summary>The token actions need (revoke, replay, delete, control). Unset, and no <see cref="TokenFile"/>: one is generated at start and logged.</summary>
    public string? Token { get; set; }

    /// <summary>A file holding the token (a mounted Secret); read at start, surrounding whitespace dropped.</summary>
    public string? TokenFile { get; set; }

    /// <summary>Refuse every action: the pages only show.</summary>
    public bool ReadOnly { get; set; }

    /// <summary>How often an open page asks for fresh data (at least a second).</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The namespace whose TaskQueues are shown (unset: those of every namespace).</summary>
    public string? KubernetesNamespace { get; set; }

    /// <summary>The kubeconfig file(s) to read TaskQueues with (unset: <c>$KUBECONFIG</c>, <c>~/.kube/config</c>, or the pod's service account).</summary>
    public string? Kubeconfig { get; set; }

    /// <summary>The kubeconfig context to use (unset: the current one).</summary>
    public string? KubeContext { get; set; }
}
