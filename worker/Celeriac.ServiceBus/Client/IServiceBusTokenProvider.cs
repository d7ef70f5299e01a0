namespace Celeriac.ServiceBus.Client;

/// <summary>The value of the Authorization header for requests to a namespace. Implementations cache and refresh before expiry.</summary>
public interface IServiceBusTokenProvider
{
    ValueTask<string> GetAuthorizationAsync(CancellationToken cancellationToken);

    /// <summary>The service refused the last token (401): the next call fetches a new one.</summary>
    void Invalidate();
}
