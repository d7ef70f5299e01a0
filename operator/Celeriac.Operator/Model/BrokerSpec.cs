namespace Celeriac.Operator.Model;

/// <summary>Exactly one of the broker kinds is set.</summary>
public sealed class BrokerSpec
{
    public RedisBrokerSpec? Redis { get; set; }
    public SqsBrokerSpec? Sqs { get; set; }
    public ServiceBusBrokerSpec? ServiceBus { get; set; }
}
