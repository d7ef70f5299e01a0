namespace Celeriac.Operator.Model;

/// <summary>A shared store for rate limits, locks, results, revocations and workflows, next to a broker without one.</summary>
public sealed class StoreSpec
{
    /// <summary>Same shape as <see cref="BrokerSpec.Redis"/>.</summary>
    public RedisBrokerSpec? Redis { get; set; }
}
