using System.Text.Json.Nodes;

namespace Celeriac.Celery.Results;

/// <summary>
/// Celery's result backend, read and written as Celery's own workers do (Celeriac.Celery.Redis implements Celery's Redis
/// backend). Without one configured, results are not kept, as with Celery's default <c>DisabledBackend</c>.
/// </summary>
public interface ICeleryResultBackend
{
    /// <summary>Stores a task's record (<see cref="CeleryResultMeta"/>) and tells waiting clients; a task already recorded as SUCCESS keeps that record.</summary>
    ValueTask StoreAsync(string taskId, JsonObject meta, CancellationToken cancellationToken);

    /// <summary>The task's record, or null when there is none (PENDING, or expired).</summary>
    ValueTask<JsonObject?> GetAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>Records how many members a chord's header has, before they are sent (Celery's <c>set_chord_size</c>).</summary>
    ValueTask SetChordSizeAsync(string groupId, int size, CancellationToken cancellationToken);

    /// <summary>
    /// Records one chord member's outcome (Celery's <c>on_chord_part_return</c>). When that completes the header, returns
    /// every member's outcome in member order, once (to the member that completed it), and forgets the join; else null.
    /// </summary>
    ValueTask<IReadOnlyList<ChordPart>?> JoinChordAsync(string groupId, string taskId, int? groupIndex, string state, JsonNode? result, CancellationToken cancellationToken);
}

/// <summary>One member's outcome in a chord join.</summary>
public sealed record ChordPart(string TaskId, string State, JsonNode? Result);

/// <summary>The backend when none is configured: nothing is stored, nothing is found, and chords cannot join.</summary>
public sealed class DisabledResultBackend : ICeleryResultBackend
{
    public ValueTask StoreAsync(string taskId, JsonObject meta, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask<JsonObject?> GetAsync(string taskId, CancellationToken cancellationToken) => ValueTask.FromResult<JsonObject?>(null);

    public ValueTask SetChordSizeAsync(string groupId, int size, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("Chords need a Celery result backend (Celeriac:Celery:ResultBackend:ConnectionString).");

    public ValueTask<IReadOnlyList<ChordPart>?> JoinChordAsync(string groupId, string taskId, int? groupIndex, string state, JsonNode? result, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("Chords need a Celery result backend (Celeriac:Celery:ResultBackend:ConnectionString).");
}
