namespace Celeriac.Pipeline;

/// <summary>The rest of the enqueue pipeline, down to the broker.</summary>
public delegate Task EnqueueDelegate(EnqueueBatch batch);

/// <summary>
/// The producer's half of a concern: runs when tasks are sent (trace context, expiry, locks taken at enqueue). It may
/// change the batch's envelopes or withhold some before calling <c>next</c>, and undo what it took when <c>next</c>
/// throws (the broker did not take the batch).
/// </summary>
public interface IEnqueueMiddleware
{
    Task InvokeAsync(EnqueueBatch batch, EnqueueDelegate next);
}
