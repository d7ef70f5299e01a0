namespace Celeriac.Registry;

/// <summary>The worker registry (<c>celeriac inspect</c>, the dashboard's workers), bound from <c>Celeriac:Registry</c>.</summary>
public sealed class RegistryOptions
{
    /// <summary>Whether a worker registers in the store and heartbeats. Off, it is invisible to inspect and control.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often a worker writes its entry (what it runs, its counts, its memory).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A worker whose last heartbeat is older than this is shown as lost (it died, or cannot reach the store).</summary>
    public TimeSpan LostAfter { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>An entry not renewed for this long disappears from the store on its own.</summary>
    public TimeSpan ForgetAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A producer refuses a task sent by a name that live workers of its queue do not register (they would dead-letter it);
    /// off, it only warns. Where no live worker consumes the queue, it always only warns.
    /// </summary>
    public bool RefuseUnknownTasks { get; set; } = true;
}
