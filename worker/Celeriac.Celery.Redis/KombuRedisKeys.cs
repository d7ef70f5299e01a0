using StackExchange.Redis;

namespace Celeriac.Celery.Redis;

/// <summary>
/// The keys of kombu's Redis transport, with its <c>global_keyprefix</c>: a list per queue (<c>queue</c>) and per priority
/// step above 0 (<c>queue\x06\x16N</c>), the <c>unacked</c> hash (delivery tag to <c>[message, exchange, routing_key]</c>),
/// the <c>unacked_index</c> sorted set (delivery tag by delivery time) and the exchanges' bindings
/// (<c>_kombu.binding.exchange</c>, members <c>routing_key\x06\x16pattern\x06\x16queue</c>). Celeriac adds two keys of its own,
/// named as kombu names its private ones: a delay store per queue (<c>_celeriac.delayed.queue</c>, a sorted set of messages
/// by due time in milliseconds) and the dead letters (<c>_celeriac.dead-letters</c>, a stream).
/// </summary>
internal sealed class KombuRedisKeys(string prefix, IReadOnlyList<int> prioritySteps)
{
    /// <summary>kombu's separator between a queue and its priority, and between the parts of a binding.</summary>
    public const string Separator = "\x06\x16";

    public IReadOnlyList<int> PrioritySteps { get; } = prioritySteps;

    public RedisKey Unacked { get; } = prefix + "unacked";

    public RedisKey UnackedIndex { get; } = prefix + "unacked_index";

    public RedisKey DeadLetters { get; } = prefix + "_celeriac.dead-letters";

    public string BindingPattern { get; } = prefix + "_kombu.binding.*";

    public string BindingPrefix { get; } = prefix + "_kombu.binding.";

    public RedisKey Binding(string exchange) => BindingPrefix + exchange;

    public RedisKey Delayed(string queue) => prefix + "_celeriac.delayed." + queue;

    /// <summary>The list of a queue for a message priority: kombu rounds it down to a step; step 0 is the queue's own name.</summary>
    public RedisKey List(string queue, int priority)
    {
        var step = Step(priority);
        return step == 0 ? prefix + queue : prefix + queue + Separator + step.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public int Step(int priority)
    {
        var step = PrioritySteps[0];
        foreach (var s in PrioritySteps)
            if (s <= priority) step = s;
        return step;
    }

    /// <summary>Every list of a queue, in the order kombu's workers pop them (step 0 first).</summary>
    public IEnumerable<RedisKey> Lists(string queue) => PrioritySteps.Select(step => List(queue, step));

    /// <summary>The binding member of Celery's declaration of a queue: an exchange of the queue's name, routing key the same.</summary>
    public static string QueueBinding(string queue) => queue + Separator + Separator + queue;
}
