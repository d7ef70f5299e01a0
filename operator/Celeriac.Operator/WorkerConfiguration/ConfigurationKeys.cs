using Celeriac.Celery;
using Celeriac.Celery.Redis;
using Celeriac.Celery.Sqs;
using Celeriac.Hosting;
using Celeriac.Redis;
using Celeriac.ServiceBus;
using Celeriac.Sqs;
using Celeriac.Worker;

namespace Celeriac.Operator.WorkerConfiguration;

/// <summary>
/// The worker host's configuration keys (under <see cref="Root"/>), named from its own options types: sections from their
/// validators, settings by <c>nameof</c>, so that a renamed option breaks the operator's build instead of silently no
/// longer reaching the workers. A pod gets them as environment variables (<see cref="Variable"/>).
/// </summary>
public static class ConfigurationKeys
{
    /// <summary>The section <c>AddCeleriac(configuration)</c> reads.</summary>
    public const string Root = "Celeriac";

    // Keys the worker host reads by name rather than binds to an options property, named where the host reads them;
    // WorkerConfigurationContractTests proves each through the host's own code.
    public const string BrokerType = BrokerSelection.TypeKey;
    public const string StoreType = StoreSelection.TypeKey;
    public const string TasksSection = TaskConfiguration.SectionName;
    public const string TaskAssembliesSetting = TaskAssemblies.Setting;

    public static string WorkerSection { get; } = new WorkerOptionsValidator().Section;
    public static string RedisBrokerSection { get; } = new RedisBrokerOptionsValidator().Section;
    public static string RedisStoreSection { get; } = new RedisStoreOptionsValidator().Section;
    public static string SqsSection { get; } = new SqsBrokerOptionsValidator().Section;
    public static string ServiceBusSection { get; } = new ServiceBusBrokerOptionsValidator().Section;
    public static string CelerySection { get; } = new CeleryOptionsValidator().Section;
    public static string CeleryRedisSection { get; } = new CeleryRedisOptionsValidator().Section;
    public static string CelerySqsSection { get; } = new CelerySqsOptionsValidator().Section;
    public static string CeleryResultBackendSection { get; } = new CeleryResultBackendOptionsValidator().Section;

    /// <summary>A key from its parts: <c>Key(WorkerSection, nameof(WorkerOptions.Concurrency))</c> is <c>Worker:Concurrency</c>.</summary>
    public static string Key(params IEnumerable<object> parts) => string.Join(':', parts);

    /// <summary>The environment variable of a key: <c>Worker:Concurrency</c> is <c>Celeriac__Worker__Concurrency</c>.</summary>
    public static string Variable(string key) => $"{Root}:{key}".Replace(":", "__", StringComparison.Ordinal);
}
