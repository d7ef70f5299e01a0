using System.Globalization;
using Celeriac.Celery;
using Celeriac.Celery.Redis;
using Celeriac.Celery.Sqs;
using Celeriac.Operator.Model;
using Celeriac.Redis;
using Celeriac.Sqs;

namespace Celeriac.Operator.WorkerConfiguration;

/// <summary>
/// The Celery interop a TaskQueue's clients get when a queue has protocol celery (<c>spec.celery</c>), as Celeriac.Celery's
/// own options: kombu's transport of the broker (its connection and URL base are the broker's, as the worker host derives
/// them), Celery's settings, and Celery's Redis result backend when the spec names one.
/// </summary>
public sealed record CelerySettings
{
    public required CeleryOptions Options { get; init; }

    /// <summary>kombu's Redis transport, on a Redis broker; its connection string is the broker's.</summary>
    public CeleryRedisOptions? Redis { get; init; }

    /// <summary>kombu's SQS transport, on an SQS broker; its URL base is the broker's prefix up to its last '/'.</summary>
    public CelerySqsOptions? Sqs { get; init; }

    public CeleryResultBackendOptions? ResultBackend { get; init; }

    /// <returns>Null when no queue has protocol celery, or the broker has no kombu transport (the validator refuses that).</returns>
    public static CelerySettings? For(TaskQueueSpec spec, SecretText secret, RedisBrokerOptions? redisBroker, SqsBrokerOptions? sqsBroker)
    {
        if (!spec.Queues.Any(q => q.IsCelery())) return null;
        var celery = spec.Celery ?? new CelerySpec();
        var options = new CeleryOptions();
        if (celery.DefaultQueue is { Length: > 0 } defaultQueue) options.DefaultQueue = defaultQueue;
        CeleryResultBackendOptions? results = null;
        if (celery.ResultBackend is { } backend)
        {
            var address = backend.Address is null ? null
                : backend.Address + (backend.Database is { } db ? ",defaultDatabase=" + db.ToString(CultureInfo.InvariantCulture) : "");
            results = new CeleryResultBackendOptions
            {
                ConnectionString = ClientSettings.RedisConnectionString(address, backend.Tls, backend.PasswordSecretRef, backend.ConnectionStringSecretRef,
                    secret, ClientSettings.CeleryResultsPasswordVariable),
            };
        }
        if (redisBroker is not null)
        {
            var redis = new CeleryRedisOptions { ConnectionString = redisBroker.ConnectionString };
            if (celery.KeyPrefix is { Length: > 0 } keyPrefix) redis.KeyPrefix = keyPrefix;
            if (KubeDuration.TryParse(celery.VisibilityTimeout, out var visibility)) redis.VisibilityTimeout = visibility;
            return new CelerySettings { Options = options, Redis = redis, ResultBackend = results };
        }
        if (sqsBroker is not null)
        {
            var sqs = new CelerySqsOptions();
            if (sqsBroker.QueueUrlPrefix?.LastIndexOf('/') is > 0 and var slash) sqs.QueueUrlPrefix = sqsBroker.QueueUrlPrefix[..(slash + 1)];
            if (celery.QueueNamePrefix is { Length: > 0 } namePrefix) sqs.QueueNamePrefix = namePrefix;
            return new CelerySettings { Options = options, Sqs = sqs, ResultBackend = results };
        }
        return null;
    }
}
