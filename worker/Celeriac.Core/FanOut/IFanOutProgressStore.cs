namespace Celeriac.FanOut;

/// <summary>Where a chunked fan-out records how far it got, so that a restarted producer resumes from its last completed chunk.</summary>
public interface IFanOutProgressStore
{
    /// <summary>The checkpoint last saved under <paramref name="key"/>, or null when there is none.</summary>
    ValueTask<string?> GetCheckpointAsync(string key, CancellationToken cancellationToken);

    ValueTask SetCheckpointAsync(string key, string checkpoint, CancellationToken cancellationToken);
}
