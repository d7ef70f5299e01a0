namespace Celeriac.Tasks;

/// <summary>The expiry of a task type (<see cref="Expiry.ExpiryMiddleware"/>).</summary>
public sealed partial class TaskOptions
{
    /// <summary>Default expiry relative to enqueue time; a message received later is discarded.</summary>
    public TimeSpan? Expires { get; set; }
}
