using Celeriac.Hosting;

namespace Celeriac.Celery;

/// <summary>The rules of <c>Celeriac:Celery</c>.</summary>
public sealed class CeleryOptionsValidator() : OptionsSectionValidator<CeleryOptions>("Celery")
{
    protected override void Check(CeleryOptions options, OptionsCheck check)
    {
        if (options.Transport is { } transport && !transport.Equals(CeleryOptions.RedisTransport, StringComparison.OrdinalIgnoreCase)
            && !transport.Equals(CeleryOptions.SqsTransport, StringComparison.OrdinalIgnoreCase))
            check.Fail(nameof(options.Transport), $"must be '{CeleryOptions.RedisTransport}' or '{CeleryOptions.SqsTransport}' (was '{transport}').");
        check.Required(options.DefaultQueue, nameof(options.DefaultQueue));
        foreach (var (task, queue) in options.Routes)
            check.Required(queue, $"{nameof(options.Routes)}:{task}");
    }
}
