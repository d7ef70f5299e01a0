namespace Celeriac.ServiceBus.Client;

/// <summary>How the REST client retries and times out.</summary>
public sealed record ServiceBusClientOptions
{
    /// <summary>Retries of a request the service throttled (429), found busy (503, 500) or that did not reach it.</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>First back-off; doubled on each retry, jittered, capped by <see cref="MaxRetryDelay"/>. A Retry-After header wins.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>One attempt's timeout, on top of a long poll's own wait.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The api-version of the management (Atom) operations.</summary>
    public string ManagementApiVersion { get; init; } = "2021-05";
}
