
namespace Celeriac.Celery.Tests.Infrastructure;

/// <summary>
/// One real redis-server for a test class: Celery's broker (database 0) and result backend (database 1), as a Celery
/// deployment would have them, and the settings that point Python and Celeriac at it.
/// </summary>
public sealed class RedisCeleryFixture : IAsyncLifetime
{
    private RedisServer? _server;

    public RedisServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public string BrokerUrl => $"redis://127.0.0.1:{Server.Port}/0";

    public string BackendUrl => $"redis://127.0.0.1:{Server.Port}/1";

    /// <summary>The environment of the Python side.</summary>
    public Dictionary<string, string> PythonEnvironment(TimeSpan? visibilityTimeout = null) => new()
    {
        ["INTEROP_BROKER"] = BrokerUrl,
        ["INTEROP_BACKEND"] = BackendUrl,
        ["INTEROP_VISIBILITY"] = (visibilityTimeout ?? TimeSpan.FromHours(1)).TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Celeriac's configuration for the same broker and backend, given as Celery URLs as a migrating team would paste them.</summary>
    public Dictionary<string, string?> CeleriacSettings(TimeSpan? visibilityTimeout = null) => new()
    {
        ["Celeriac:Celery:Transport"] = "redis",
        ["Celeriac:Celery:Redis:ConnectionString"] = BrokerUrl,
        ["Celeriac:Celery:Redis:VisibilityTimeout"] = (visibilityTimeout ?? TimeSpan.FromHours(1)).ToString(),
        ["Celeriac:Celery:ResultBackend:ConnectionString"] = BackendUrl,
    };

    public PythonCelery Python => new(PythonEnvironment());

    private Task<CeleryWorkerProcess>? _worker;

    /// <summary>A stock <c>celery worker</c> on the default queue <c>celery</c>, started on first use and shared by the class's tests.</summary>
    public Task<CeleryWorkerProcess> CeleryWorkerAsync() => _worker ??= Python.StartWorkerAsync("celery");

    public async Task InitializeAsync() => _server = await RedisServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_worker is { IsCompletedSuccessfully: true }) await (await _worker).DisposeAsync();
        if (_server is not null) await _server.DisposeAsync();
    }
}
