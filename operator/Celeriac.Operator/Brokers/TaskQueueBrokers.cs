using System.Collections.Concurrent;
using System.Text;
using Celeriac.Brokers;
using Celeriac.Client;
using Celeriac.Hosting;
using Celeriac.Operator.Kubernetes;
using Celeriac.Operator.Model;
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
/// One <see cref="BrokerConnection"/> per TaskQueue, built from the same configuration contract as its workers
/// (so the operator connects exactly as they do) and rebuilt when the broker settings or their Secrets change.
/// </summary>
public sealed class TaskQueueBrokers(IKubernetes kubernetes) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, BrokerConnection> _connections = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Extra configuration applied to every connection (tests point brokers at emulators with it).</summary>
    public IReadOnlyDictionary<string, string?> Overrides { get; init; } = new Dictionary<string, string?>();

    /// <summary>
    /// Services registered in every connection before Celeriac's own, e.g. a vendor client the broker then takes from DI
    /// (tests register an SDK client with an emulator's quirks corrected).
    /// </summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    public async Task<BrokerConnection> GetAsync(TaskQueue queue, CancellationToken cancellationToken)
    {
        var ns = queue.Metadata.Namespace ?? "default";
        var key = $"{ns}/{queue.Metadata.Name}";
        var settings = await BrokerConfiguration.BuildAsync(queue.Spec,
            (secret, item, ct) => ReadSecretAsync(ns, secret, item, ct), cancellationToken).ConfigureAwait(false);
        foreach (var (name, value) in Overrides) settings[name] = value;
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
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            var services = new ServiceCollection();
            services.AddLogging();
            ConfigureServices?.Invoke(services);
            services.AddCeleriac(configuration, c => c.UseBrokerFromConfiguration());
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
    public async Task ForgetAsync(string ns, string name)
    {
        if (_connections.TryRemove($"{ns}/{name}", out var connection)) await connection.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var key in _connections.Keys)
            if (_connections.TryRemove(key, out var connection)) await connection.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    private async Task<string?> ReadSecretAsync(string ns, string name, string key, CancellationToken cancellationToken)
    {
        var secret = await kubernetes.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: cancellationToken).OrNullAsync().ConfigureAwait(false);
        if (secret?.Data?.TryGetValue(key, out var data) == true) return Encoding.UTF8.GetString(data);
        return secret?.StringData?.TryGetValue(key, out var text) == true ? text : null;
    }

    private static string Fingerprint(Dictionary<string, string?> settings)
    {
        var text = string.Join('\n', settings.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase).Select(p => $"{p.Key}={p.Value}"));
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
