namespace Celeriac.Control;

/// <summary>How a worker follows control settings (<c>celeriac control</c>, the dashboard), bound from <c>Celeriac:Control</c>.</summary>
public sealed class ControlOptions
{
    /// <summary>Whether a worker applies control settings from the store. Needs the registry for acknowledgements.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often a worker asks the store whether the settings changed (one small read).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
