using Amazon.SQS;
using Celeriac.Sqs;
using Celeriac.Testing.Sqs;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Celery.Tests.Infrastructure;

/// <summary>
/// Celery on SQS for a test class: the local-aws-sqs emulator (taking kombu's path-addressed requests, see
/// <see cref="SqsEmulator.AcceptPathAddressedQueries"/>) as the broker, under a queue name prefix of the class's own, and
/// a real redis-server as Celery's result backend. Celeriac's side calls the emulator through the AWS SDK with the
/// emulator's known differences corrected (<see cref="EmulatorQuirksHandler"/>).
/// </summary>
public sealed class SqsCeleryFixture : IAsyncLifetime
{
    private readonly SqsEmulator _sqs = new() { AcceptPathAddressedQueries = true };
    private RedisServer? _redis;
    private Task<CeleryWorkerProcess>? _worker;

    public string NamePrefix { get; } = "c" + Guid.NewGuid().ToString("N")[..8] + "-";

    public string QueueUrlPrefix => $"{_sqs.Endpoint}/{SqsEmulator.AccountId}/";

    public string BackendUrl => $"redis://127.0.0.1:{_redis!.Port}/1";

    public PythonCelery Python => new(new Dictionary<string, string>
    {
        ["INTEROP_BROKER"] = $"sqs://test:test@127.0.0.1:{_sqs.Port}",
        ["INTEROP_BACKEND"] = BackendUrl,
        ["INTEROP_SQS_PREFIX"] = NamePrefix,
    });

    /// <summary>The emulator's endpoint, for worker processes (<see cref="InteropModule"/>).</summary>
    public string Endpoint => _sqs.Endpoint;

    public Dictionary<string, string?> CeleriacSettings() => new()
    {
        ["Celeriac:Celery:Transport"] = "sqs",
        ["Celeriac:Celery:Sqs:QueueUrlPrefix"] = QueueUrlPrefix,
        ["Celeriac:Celery:Sqs:QueueNamePrefix"] = NamePrefix,
        ["Celeriac:Celery:Sqs:AutoCreateQueues"] = "true",
        ["Celeriac:Celery:Sqs:LongPollSeconds"] = "1",
        ["Celeriac:Celery:ResultBackend:ConnectionString"] = BackendUrl,
    };

    /// <summary>The emulator's client for Celeriac, as an app registers its own <see cref="IAmazonSQS"/>.</summary>
    public void AddClient(IServiceCollection services) =>
        services.AddSingleton(EmulatorSqs.Client(new SqsBrokerOptions { QueueUrlPrefix = QueueUrlPrefix, Endpoint = _sqs.Endpoint, AccessKeyId = "test", SecretAccessKey = "test" }));

    /// <summary>A stock <c>celery worker</c> on the default queue over kombu's SQS transport, started on first use.</summary>
    public Task<CeleryWorkerProcess> CeleryWorkerAsync() => _worker ??= Python.StartWorkerAsync("celery");

    public async Task InitializeAsync()
    {
        await _sqs.InitializeAsync();
        _redis = await RedisServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_worker is { IsCompletedSuccessfully: true }) await (await _worker).DisposeAsync();
        if (_redis is not null) await _redis.DisposeAsync();
        await _sqs.DisposeAsync();
    }
}
