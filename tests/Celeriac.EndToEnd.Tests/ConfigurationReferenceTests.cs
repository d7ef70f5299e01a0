using System.Reflection;
using Celeriac.Celery;
using Celeriac.Celery.Redis;
using Celeriac.Celery.Sqs;
using Celeriac.Hosting;
using Celeriac.Otlp;
using Celeriac.Redis;
using Celeriac.ServiceBus;
using Celeriac.Sqlite;
using Celeriac.Sqs;
using Celeriac.Tasks;
using Celeriac.Worker;
using Xunit;

namespace Celeriac.EndToEnd.Tests;

/// <summary>docs/configuration.md names every setting the option classes bind, under the section they are bound from.</summary>
public sealed class ConfigurationReferenceTests
{
    public static TheoryData<Type, string> BoundOptions() => new()
    {
        { typeof(CeleriacOptions), "Celeriac" },
        { typeof(WorkerOptions), "Celeriac:Worker" },
        { typeof(TaskOptions), "Celeriac:Tasks:<name>" },
        { typeof(SqliteBrokerOptions), "Celeriac:Broker:Sqlite" },
        { typeof(RedisBrokerOptions), "Celeriac:Broker:Redis" },
        { typeof(RedisStoreOptions), "Celeriac:Store:Redis" },
        { typeof(SqliteStoreOptions), "Celeriac:Store:Sqlite" },
        { typeof(SqsBrokerOptions), "Celeriac:Broker:Sqs" },
        { typeof(ServiceBusBrokerOptions), "Celeriac:Broker:ServiceBus" },
        { typeof(OtlpOptions), "Celeriac:Otlp" },
        { typeof(QueueDefinition), "Celeriac:Queues:N" },
        { typeof(LocalSchedulerOptions), "Celeriac:Scheduler" },
        { typeof(CeleryOptions), "Celeriac:Celery" },
        { typeof(CeleryRedisOptions), "Celeriac:Celery:Redis" },
        { typeof(CelerySqsOptions), "Celeriac:Celery:Sqs" },
        { typeof(CeleryResultBackendOptions), "Celeriac:Celery:ResultBackend" },
    };

    [Theory]
    [MemberData(nameof(BoundOptions))]
    public void Every_setting_is_documented(Type options, string section)
    {
        var document = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "configuration.md"));
        var settings = options.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.SetMethod!.IsPublic).ToList();
        Assert.NotEmpty(settings);
        var missing = settings.Where(p => !document.Contains($"`{section}:{p.Name}", StringComparison.Ordinal)).Select(p => $"{section}:{p.Name}").ToList();
        Assert.True(missing.Count == 0, "not in docs/configuration.md: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_switch_of_the_worker_host_is_documented_with_the_key_it_sets()
    {
        var document = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "configuration.md"));
        foreach (var option in WorkerHost.WorkerCommandLine.Switches)
        {
            Assert.Contains($"`{option.Name}`", document, StringComparison.Ordinal);
            if (option.Key.StartsWith("Celeriac:", StringComparison.Ordinal)) Assert.Contains($"`{option.Key}`", document, StringComparison.Ordinal);
        }
        Assert.Contains("Celeriac__Tasks__fan_item__Queue", document, StringComparison.Ordinal);
    }
}
