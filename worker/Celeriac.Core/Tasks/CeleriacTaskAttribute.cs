namespace Celeriac.Tasks;

/// <summary>Names a task and sets its defaults. Configuration (<c>Celeriac:Tasks:&lt;name&gt;</c>) overrides them.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class CeleriacTaskAttribute(string name) : Attribute
{
    public string Name { get; } = name;
    public string? Queue { get; set; }
    /// <summary>-1 leaves the default.</summary>
    public int MaxRetries { get; set; } = -1;
    public double RetryBackoffSeconds { get; set; }
    public double SoftTimeLimitSeconds { get; set; }
    public double HardTimeLimitSeconds { get; set; }
    public double ExpiresSeconds { get; set; }
    public bool AcksEarly { get; set; }
    /// <summary>The args are secret: tools that show messages print "(masked)" instead.</summary>
    public bool MaskArgs { get; set; }

    internal void ApplyTo(TaskOptions options)
    {
        if (Queue is not null) options.Queue = Queue;
        if (MaxRetries >= 0) options.MaxRetries = MaxRetries;
        if (RetryBackoffSeconds > 0) options.RetryBackoff = TimeSpan.FromSeconds(RetryBackoffSeconds);
        if (SoftTimeLimitSeconds > 0) options.SoftTimeLimit = TimeSpan.FromSeconds(SoftTimeLimitSeconds);
        if (HardTimeLimitSeconds > 0) options.HardTimeLimit = TimeSpan.FromSeconds(HardTimeLimitSeconds);
        if (ExpiresSeconds > 0) options.Expires = TimeSpan.FromSeconds(ExpiresSeconds);
        if (AcksEarly) options.AcksLate = false;
        if (MaskArgs) options.MaskArgs = true;
    }
}
