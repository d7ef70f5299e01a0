using Azure.Core;

namespace Celeriac.ServiceBus.Client;

/// <summary>
/// Microsoft Entra ID bearer tokens from an Azure.Identity credential (DefaultAzureCredential covers AKS workload
/// identity, managed identity, environment and developer sign-ins) for the scope <see cref="Scope"/>. A token is
/// reused until <see cref="RefreshBefore"/> before it expires (or its RefreshOn), then fetched again, so a long-running
/// worker never needs a restart for a new token.
/// </summary>
public sealed class EntraTokenProvider(TokenCredential credential, TimeProvider? time = null) : IServiceBusTokenProvider
{
    public const string Scope = "https://servicebus.azure.net/.default";
    public static readonly TimeSpan RefreshBefore = TimeSpan.FromMinutes(5);

    private readonly TokenCredential _credential = credential ?? throw new ArgumentNullException(nameof(credential));
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private AccessToken? _current;

    public async ValueTask<string> GetAuthorizationAsync(CancellationToken cancellationToken)
    {
        if (Fresh(_current) is { } token) return "Bearer " + token;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh(_current) is { } again) return "Bearer " + again;
            var fetched = await _credential.GetTokenAsync(new TokenRequestContext([Scope]), cancellationToken).ConfigureAwait(false);
            _current = fetched;
            return "Bearer " + fetched.Token;
        }
        finally
        {
            _gate.Release();
        }
    }

    private string? Fresh(AccessToken? token)
    {
        if (token is not { } t) return null;
        var now = _time.GetUtcNow();
        if (t.RefreshOn is { } refreshOn && now >= refreshOn) return null;
        return t.ExpiresOn - now > RefreshBefore ? t.Token : null;
    }

    public void Invalidate() => _current = null;
}
