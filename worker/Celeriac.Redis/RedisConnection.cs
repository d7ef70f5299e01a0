using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Celeriac.Redis;

/// <summary>
/// The one multiplexed connection that the broker and the store of a process share. It does not fail
/// when Redis is away at start; the client reconnects by itself, with backoff, and every command in
/// between fails fast, so the worker's own retry loops (receive backoff, lease expiry) take over.
/// </summary>
public sealed partial class RedisConnection : IDisposable
{
    private readonly ConnectionMultiplexer _multiplexer;
    private readonly ILogger _logger;

    public RedisConnection(RedisBrokerOptions options, ILogger<RedisConnection>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Registered through UseRedisBroker, the same rules already ran when the host started.
        RedisBrokerOptionsValidator.Instance.ThrowIfInvalid(options);
        Options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        var configuration = ConfigurationOptions.Parse(options.ConnectionString);
        configuration.AbortOnConnectFail = false;
        configuration.ReconnectRetryPolicy = new ExponentialRetry(100, 5_000);
        Configuration = configuration.Clone();
        _multiplexer = ConnectionMultiplexer.Connect(configuration);
        _multiplexer.ConnectionFailed += (_, e) => LogConnectionFailed(e.Exception, e.EndPoint?.ToString(), e.FailureType.ToString());
        _multiplexer.ConnectionRestored += (_, e) => LogConnectionRestored(e.EndPoint?.ToString());
    }

    public RedisBrokerOptions Options { get; }

    internal IDatabase Database => _multiplexer.GetDatabase();

    /// <summary>The parsed connection string, for the blocking receive's own multiplexer.</summary>
    internal ConfigurationOptions Configuration { get; }

    internal ISubscriber Subscriber => _multiplexer.GetSubscriber();

    public bool IsConnected => _multiplexer.IsConnected;

    public void Dispose() => _multiplexer.Dispose();

    [LoggerMessage(LogLevel.Warning, "Lost the connection to Redis at {EndPoint} ({FailureType}); reconnecting")]
    private partial void LogConnectionFailed(Exception? exception, string? endPoint, string failureType);

    [LoggerMessage(LogLevel.Information, "Reconnected to Redis at {EndPoint}")]
    private partial void LogConnectionRestored(string? endPoint);
}
