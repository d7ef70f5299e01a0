using Celeriac.Hosting;

namespace Celeriac.Celery.Redis;

/// <summary>The rules of <c>Celeriac:Celery:Redis</c>.</summary>
public sealed class CeleryRedisOptionsValidator() : OptionsSectionValidator<CeleryRedisOptions>("Celery:Redis")
{
    internal static CeleryRedisOptionsValidator Instance { get; } = new();

    protected override void Check(CeleryRedisOptions options, OptionsCheck check)
    {
        check.Required(options.ConnectionString, nameof(options.ConnectionString));
        RedisUrl.Check(options.ConnectionString, nameof(options.ConnectionString), check);
        check.Positive(options.VisibilityTimeout, nameof(options.VisibilityTimeout));
        check.Positive(options.MaxPollInterval, nameof(options.MaxPollInterval));
        check.Positive(options.RestoreInterval, nameof(options.RestoreInterval));
        if (options.PrioritySteps.Count == 0 || options.PrioritySteps[0] != 0 || options.PrioritySteps.Zip(options.PrioritySteps.Skip(1)).Any(p => p.First >= p.Second)
            || options.PrioritySteps.Any(s => s is < 0 or > 9))
            check.Fail(nameof(options.PrioritySteps), $"must start at 0 and rise within 0..9, like kombu's [0, 3, 6, 9] (was [{string.Join(", ", options.PrioritySteps)}]).");
    }
}
