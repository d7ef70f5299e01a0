using Celeriac.Brokers;

namespace Celeriac.Redis;

/// <summary>One delivery of a stream entry: its id and how many times this entry was delivered, this time included.</summary>
internal sealed record RedisReceipt(string Id, long Delivery)
{
    public override string ToString() => FormattableString.Invariant($"{Id}#{Delivery}");

    public static bool TryGet(BrokerMessage message, out RedisReceipt receipt)
    {
        receipt = (message.BrokerState as RedisReceipt)!;
        return receipt is not null;
    }
}
