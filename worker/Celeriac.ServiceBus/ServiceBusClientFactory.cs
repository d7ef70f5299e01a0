using Azure.Core;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Azure.Messaging.ServiceBus.Administration;

namespace Celeriac.ServiceBus;

/// <summary>
/// Builds the SDK's clients from Celeriac's options when the app did not register its own: a connection string (SAS, or
/// the development emulator), else the namespace with Azure.Identity's DefaultAzureCredential. The SDK does the tokens,
/// the retries and the reconnects.
/// </summary>
public static class ServiceBusClientFactory
{
    /// <param name="credential">Instead of DefaultAzureCredential (tests).</param>
    public static ServiceBusClient CreateClient(ServiceBusBrokerOptions options, TokenCredential? credential = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clientOptions = new ServiceBusClientOptions
        {
            RetryOptions = new ServiceBusRetryOptions { Mode = ServiceBusRetryMode.Exponential, MaxRetries = options.MaxRetries },
        };
        if (!string.IsNullOrWhiteSpace(options.ConnectionString)) return new ServiceBusClient(options.ConnectionString, clientOptions);
        return new ServiceBusClient(Namespace(options, "ServiceBusClient"), credential ?? Credential(options), clientOptions);
    }

    public static ServiceBusAdministrationClient CreateAdministrationClient(ServiceBusBrokerOptions options, TokenCredential? credential = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clientOptions = new ServiceBusAdministrationClientOptions();
        clientOptions.Retry.MaxRetries = options.MaxRetries;
        var connectionString = string.IsNullOrWhiteSpace(options.AdministrationConnectionString) ? options.ConnectionString : options.AdministrationConnectionString;
        if (!string.IsNullOrWhiteSpace(connectionString)) return new ServiceBusAdministrationClient(connectionString, clientOptions);
        return new ServiceBusAdministrationClient(Namespace(options, "ServiceBusAdministrationClient"), credential ?? Credential(options), clientOptions);
    }

    /// <summary>DefaultAzureCredential, told the client id of a user-assigned or workload identity when one is configured.</summary>
    public static TokenCredential Credential(ServiceBusBrokerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var credentialOptions = new DefaultAzureCredentialOptions();
        if (!string.IsNullOrWhiteSpace(options.ManagedIdentityClientId))
        {
            credentialOptions.ManagedIdentityClientId = options.ManagedIdentityClientId;
            credentialOptions.WorkloadIdentityClientId = options.ManagedIdentityClientId;
        }
        return new DefaultAzureCredential(credentialOptions);
    }

    private static string Namespace(ServiceBusBrokerOptions options, string client) =>
        string.IsNullOrWhiteSpace(options.FullyQualifiedNamespace)
            ? throw new InvalidOperationException(
                $"No Service Bus connection: set {ServiceBusBrokerOptions.Section}:FullyQualifiedNamespace (Microsoft Entra ID) or {ServiceBusBrokerOptions.Section}:ConnectionString, " +
                $"or register a {client} in the app's services (Microsoft.Extensions.Azure's AddAzureClients).")
            : options.FullyQualifiedNamespace.Trim();
}
