namespace Celeriac.Celery.Redis;

/// <summary>kombu's Redis transport as Celery's workers configure it, bound from <c>Celeriac:Celery:Redis</c>. Set each to what the Celery side uses.</summary>
public sealed class CeleryRedisOptions
{
    /// <summary>
    /// The Redis of Celery's <c>broker_url</c>: a Redis URL (<c>redis://:password@host:6379/0</c>, as Celery writes it) or a
    /// StackExchange.Redis connection string. Unset: <c>Celeriac:Broker:Redis:ConnectionString</c> when the broker is Redis.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>kombu's <c>global_keyprefix</c> transport option: a prefix of every key (none by default).</summary>
    public string KeyPrefix { get; set; } = "";

    /// <summary>
    /// kombu's <c>visibility_timeout</c> (one hour by default): an unacknowledged message is put back after this long without
    /// its worker. Must be what Celery's workers use, since each side restores the other's messages by it.
    /// </summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>kombu's <c>priority_steps</c>: the priorities that have lists of their own (a queue's list per step, 0 first).</summary>
    public List<int> PrioritySteps { get; set; } = [0, 3, 6, 9];

    /// <summary>Longest sleep of a waiting receive between two looks at empty lists (the first looks are a millisecond apart, then doubling).</summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How often unacknowledged messages past the visibility timeout are looked for and put back, as kombu's workers do.</summary>
    public TimeSpan RestoreInterval { get; set; } = TimeSpan.FromSeconds(1);
}
