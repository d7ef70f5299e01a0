using Celeriac.Hosting;

namespace Celeriac.Redis;

/// <summary>The rules of <c>Celeriac:Store:Redis</c>.</summary>
public sealed class RedisStoreOptionsValidator() : OptionsSectionValidator<RedisStoreOptions>("Store:Redis")
{
    protected override void Check(RedisStoreOptions options, OptionsCheck check) =>
        RedisConnectionRules.Check(options.ConnectionString, options.KeyPrefix, check);
}
