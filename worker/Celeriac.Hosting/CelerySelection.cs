using Celeriac.Celery;
using Microsoft.Extensions.Configuration;

namespace Celeriac.Hosting;

/// <summary>
/// Celery interop from configuration: when a declared queue has <c>Protocol = celery</c>, the Celery queues go over the
/// kombu transport named by <c>Celeriac:Celery:Transport</c> (by default the broker's type, when it is Redis or SQS), and
/// results go to Celery's Redis result backend when <c>Celeriac:Celery:ResultBackend:ConnectionString</c> is set.
/// </summary>
public static class CelerySelection
{
    public static CeleriacBuilder UseCeleryFromConfiguration(this CeleriacBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        if (configuration is null) return builder;
        var celeryQueues = configuration.GetSection("Queues").GetChildren()
            .Any(q => string.Equals(q["Protocol"]?.Trim(), QueueProtocols.Celery, StringComparison.OrdinalIgnoreCase));
        if (!celeryQueues) return builder;
        var transport = configuration["Celery:Transport"];
        if (string.IsNullOrWhiteSpace(transport)) transport = configuration[BrokerSelection.TypeKey];
        switch (transport?.Trim().ToLowerInvariant())
        {
            case CeleryOptions.RedisTransport:
                builder.UseCeleryRedisTransport();
                break;
            case CeleryOptions.SqsTransport:
                builder.UseCelerySqsTransport();
                break;
            default:
                throw new InvalidOperationException(
                    $"Queues with Protocol=celery need a kombu transport: set Celeriac:Celery:Transport to '{CeleryOptions.RedisTransport}' or '{CeleryOptions.SqsTransport}' " +
                    $"(it defaults to Celeriac:Broker:Type when that is one of them; it is '{transport}').");
        }
        if (!string.IsNullOrWhiteSpace(configuration["Celery:ResultBackend:ConnectionString"])) builder.UseCeleryRedisResultBackend();
        return builder;
    }
}
