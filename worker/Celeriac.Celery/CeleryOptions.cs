namespace Celeriac.Celery;

/// <summary>
/// Celery interop, bound from <c>Celeriac:Celery</c>. Which queues speak Celery's protocol is said per queue
/// (<c>Celeriac:Queues:N:Protocol = celery</c>); these settings say how.
/// </summary>
public sealed class CeleryOptions
{
    public const string RedisTransport = "redis";
    public const string SqsTransport = "sqs";

    /// <summary>
    /// The kombu transport of the Celery queues: <c>redis</c> or <c>sqs</c>. Unset: the broker's type when it is one of
    /// them (Celeriac's own queues and Celery's then share the Redis or the AWS account).
    /// </summary>
    public string? Transport { get; set; }

    /// <summary>Where a task is sent when neither the signature, the routes nor a Celery queue of its own name one (Celery's <c>task_default_queue</c>).</summary>
    public string DefaultQueue { get; set; } = "celery";

    /// <summary>
    /// Task name, or a pattern with <c>*</c>, to Celery queue, for the tasks Celeriac sends on behalf of Celery (callbacks,
    /// the next step of a chain, errbacks) when their signature names no queue: Celery's <c>task_routes</c>.
    /// </summary>
    public Dictionary<string, string> Routes { get; set; } = new(StringComparer.Ordinal);
}
