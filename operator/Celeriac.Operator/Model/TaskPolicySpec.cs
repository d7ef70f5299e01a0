namespace Celeriac.Operator.Model;

/// <summary>Per-task policy overriding what the task's code declares (Celeriac:Tasks:&lt;name&gt;).</summary>
public sealed class TaskPolicySpec
{
    public string Name { get; set; } = "";
    public string? RateLimit { get; set; }
    public string? SoftTimeLimit { get; set; }
    public string? TimeLimit { get; set; }
    public int? MaxRetries { get; set; }
    public string? Expires { get; set; }
}
