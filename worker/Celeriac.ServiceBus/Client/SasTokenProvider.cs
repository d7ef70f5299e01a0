using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Celeriac.ServiceBus.Client;

/// <summary>
/// Shared access signatures for a namespace, as Service Bus documents them:
/// <c>SharedAccessSignature sr={url-encoded resource}&amp;sig={url-encoded base64 HMAC-SHA256(key, url-encoded resource + "\n" + expiry)}&amp;se={expiry}&amp;skn={key name}</c>.
/// A token lasts <see cref="Validity"/> and a new one is made when less than a fifth of it is left.
/// </summary>
public sealed class SasTokenProvider : IServiceBusTokenProvider
{
    private readonly string _resource;
    private readonly string? _keyName;
    private readonly byte[]? _key;
    private readonly string? _fixedSignature;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private (string Header, DateTimeOffset Expires)? _current;

    public SasTokenProvider(Uri namespaceEndpoint, string keyName, string key, TimeSpan? validity = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(namespaceEndpoint);
        ArgumentException.ThrowIfNullOrEmpty(keyName);
        ArgumentException.ThrowIfNullOrEmpty(key);
        _resource = Resource(namespaceEndpoint);
        _keyName = keyName;
        _key = Encoding.UTF8.GetBytes(key);
        Validity = validity ?? TimeSpan.FromHours(1);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>A connection string that carries a ready signature (<c>SharedAccessSignature=...</c>): used as it is.</summary>
    public SasTokenProvider(string sharedAccessSignature)
    {
        ArgumentException.ThrowIfNullOrEmpty(sharedAccessSignature);
        _resource = "";
        _fixedSignature = sharedAccessSignature.StartsWith("SharedAccessSignature ", StringComparison.Ordinal) ? sharedAccessSignature : "SharedAccessSignature " + sharedAccessSignature;
        _time = TimeProvider.System;
    }

    public TimeSpan Validity { get; } = TimeSpan.FromHours(1);

    /// <summary>The signed resource: the namespace URI, lower case, without a trailing slash, URL-encoded.</summary>
    public static string Resource(Uri namespaceEndpoint) =>
        Uri.EscapeDataString(namespaceEndpoint.GetLeftPart(UriPartial.Authority).ToLowerInvariant());

    public static string Sign(string encodedResource, string keyName, byte[] key, long expiresUnixSeconds)
    {
        var expiry = expiresUnixSeconds.ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(encodedResource + "\n" + expiry)));
        return $"SharedAccessSignature sr={encodedResource}&sig={Uri.EscapeDataString(signature)}&se={expiry}&skn={Uri.EscapeDataString(keyName)}";
    }

    public ValueTask<string> GetAuthorizationAsync(CancellationToken cancellationToken)
    {
        if (_fixedSignature is not null) return ValueTask.FromResult(_fixedSignature);
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (_current is { } current && current.Expires - now > Validity / 5) return ValueTask.FromResult(current.Header);
            var expires = now + Validity;
            var header = Sign(_resource, _keyName!, _key!, expires.ToUnixTimeSeconds());
            _current = (header, expires);
            return ValueTask.FromResult(header);
        }
    }

    public void Invalidate()
    {
        lock (_gate) _current = null;
    }
}
