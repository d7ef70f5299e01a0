using Celeriac.Hosting;

namespace Celeriac.Celery.Redis;

/// <summary>The rules of <c>Celeriac:Celery:ResultBackend</c>.</summary>
public sealed class CeleryResultBackendOptionsValidator() : OptionsSectionValidator<CeleryResultBackendOptions>("Celery:ResultBackend")
{
    protected override void Check(CeleryResultBackendOptions options, OptionsCheck check)
    {
        check.Required(options.ConnectionString, nameof(options.ConnectionString));
        RedisUrl.Check(options.ConnectionString, nameof(options.ConnectionString), check);
        check.NotNegative(options.Expires, nameof(options.Expires));
    }
}
