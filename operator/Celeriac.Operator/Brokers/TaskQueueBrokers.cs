using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Celeriac.Brokers;
using Celeriac.Client;
using Celeriac.Hosting;
using Celeriac.Operator.Kubernetes;
using Celeriac.Operator.Model;
using Celeriac.Operator.WorkerConfiguration;
using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Operator.Brokers;

/// <summary>The operator's own Celeriac client of one TaskQueue's broker: depth reads for autoscaling, enqueues for schedules.</summary>
public sealed class BrokerConnection(ServiceProvider services, string fingerprint) : IAsyncDisposable
{
    internal string Fingerprint { get; } = fingerprint;

    public IBroker Broker { get; } = services.GetRequiredService<IBroker>();

    public ITaskClient Client { get; } = services.GetRequiredService<ITaskClient>();

    public IServiceProvider Services => services;

    public ValueTask DisposeAsync() => services.DisposeAsync();
}

/// <summary>
/// One <see cref="BrokerConnection"/> per TaskQueue, configured with the TaskQueue's <see cref="ClientSettings"/> (the
/// settings its workers get, so the operator connects exactly as they do; the Secrets read through the API) and rebuilt
/// when those settings or their Secrets change.
/// </summary>
public sealed class TaskQueueBrokers(IKubernetes kubernetes) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<NamespacedName, BrokerConnection> _connections = new();
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>
    /// Configuration laid over every connection's settings (<c>Celeriac:Broker:Sqs:AutoCreateQueues</c>, ...); a
    /// <c>Celeriac:Broker:Type</c> here stands in for the TaskQueue's broker (an operator run locally against a SQLite
    /// file, tests), the TaskQueue's store and queues staying as they are.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Overrides { get; init; } = new Dictionary<string, string?>();

    /// <summary>
    /// Services registered in every connection before Celeriac's own, e.g. a vendor client the broker then takes from DI
    /// (tests register an SDK client with an emulator's quirks corrected).
    /// </summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    public async Task<BrokerConnection> GetAsync(TaskQueue queue, CancellationToken cancellationToken)
    {
        var key = NamespacedName.Of(queue);
        var settings = await ClientSettings.ResolveAsync(queue.Spec, (secret, ct) => ReadSecretAsync(key.Namespace, secret, ct), cancellationToken).ConfigureAwait(false);
        var overrides = new ConfigurationBuilder().AddInMemoryCollection(Overrides).Build();
        settings.Bind(overrides.GetSection(ConfigurationKeys.Root));
        var fingerprint = Fingerprint(settings);
        if (_connections.TryGetValue(key, out var current) && current.Fingerprint == fingerprint) return current;

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connections.TryGetValue(key, out current))
            {
                if (current.Fingerprint == fingerprint) return current;
                _connections.TryRemove(key, out _);
                await current.DisposeAsync().ConfigureAwait(false);
            }
            var services = new ServiceCollection();
            services.AddLogging();
            ConfigureServices?.Invoke(services);
            services.AddCeleriac(overrides, celeriac =>
            {
                if (string.IsNullOrWhiteSpace(celeriac.Configuration?[ConfigurationKeys.BrokerType])) settings.UseBroker(celeriac);
                else celeriac.UseBrokerFromConfiguration();
                settings.UseStoreAndQueues(celeriac);
                settings.UseCelery(celeriac);
            });
            var connection = new BrokerConnection(services.BuildServiceProvider(), fingerprint);
            _connections[key] = connection;
            return connection;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes the connection of a TaskQueue that was deleted.</summary>
    public async Task ForgetAsync(NamespacedName key)
    {
        if (_connections.TryRemove(key, out var connection)) await connection.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var key in _connections.Keys)
            if (_connections.TryRemove(key, out var connection)) await connection.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    private async Task<string?> ReadSecretAsync(string ns, SecretKeyRef reference, CancellationToken cancellationToken)
    {
        var secret = await kubernetes.CoreV1.ReadNamespacedSecretAsync(reference.Name, ns, cancellationToken: cancellationToken).OrNullAsync().ConfigureAwait(false);
        if (secret?.Data?.TryGetValue(reference.Key, out var data) == true) return Encoding.UTF8.GetString(data);
        return secret?.StringData?.TryGetValue(reference.Key, out var text) == true ? text : null;
    }

    /// <summary>The settings and overrides, hashed: a changed Secret or spec gives a new connection.</summary>
    private string Fingerprint(ClientSettings settings)
    {
        var text = JsonSerializer.Serialize(settings) + "\n" + string.Join('\n', Overrides.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
