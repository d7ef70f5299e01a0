using Celeriac.Hosting;

namespace Celeriac.Redis;

/// <summary>The rules of <c>Celeriac:Broker:Redis</c>.</summary>
public sealed class RedisBrokerOptionsValidator() : OptionsSectionValidator<RedisBrokerOptions>("Broker:Redis")
{
    internal static RedisBrokerOptionsValidator Instance { get; } = new();

    protected override void Check(RedisBrokerOptions options, OptionsCheck check)
    {
        RedisConnectionRules.Check(options.ConnectionString, options.KeyPrefix, check);
        check.Positive(options.MaxPollInterval, nameof(options.MaxPollInterval));
    }
}
