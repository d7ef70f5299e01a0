using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Celeriac.ServiceBus.Client;

/// <summary>Builds the REST client from a connection string (SAS key or the development emulator) or a namespace (Entra ID tokens).</summary>
public static class ServiceBusClientFactory
{
    /// <param name="credential">For a namespace without a connection string; DefaultAzureCredential when null.</param>
    /// <param name="handler">The HTTP handler (tests count requests with a delegating handler); a pooled one when null.</param>
    public static ServiceBusRestClient Create(string? connectionString, string? fullyQualifiedNamespace, ServiceBusClientOptions? options = null,
        TokenCredential? credential = null, string? managedIdentityClientId = null, HttpMessageHandler? handler = null, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        Uri endpoint;
        IServiceBusTokenProvider tokens;
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            var parsed = ServiceBusConnectionString.Parse(connectionString);
            endpoint = parsed.Endpoint;
            tokens = parsed.SharedAccessSignature is { } sas ? new SasTokenProvider(sas) : new SasTokenProvider(endpoint, parsed.KeyName!, parsed.Key!, time: time);
        }
        else if (!string.IsNullOrWhiteSpace(fullyQualifiedNamespace))
        {
            endpoint = ServiceBusConnectionString.ToHttpEndpoint(fullyQualifiedNamespace, useDevelopmentEmulator: false);
            credential ??= new DefaultAzureCredential(new DefaultAzureCredentialOptions
            {
                ManagedIdentityClientId = managedIdentityClientId,
                WorkloadIdentityClientId = managedIdentityClientId,
            });
            tokens = new EntraTokenProvider(credential, time);
        }
        else
        {
            throw new InvalidOperationException("Set Celeriac:Broker:ServiceBus:ConnectionString or Celeriac:Broker:ServiceBus:FullyQualifiedNamespace.");
        }
        var http = new HttpClient(handler ?? new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = 128,
        }, disposeHandler: true)
        {
            // Each attempt has its own timeout (long polls included); this one only backs it up.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        return new ServiceBusRestClient(http, endpoint, tokens, options, time,
            (loggers ?? NullLoggerFactory.Instance).CreateLogger<ServiceBusRestClient>(), ownsHttp: true);
    }
}
