namespace Celeriac.ServiceBus.Client;

/// <summary>
/// A Service Bus connection string: <c>Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=...;SharedAccessKey=...</c>,
/// optionally <c>UseDevelopmentEmulator=true</c> (plain HTTP to the endpoint's host and port) or a ready
/// <c>SharedAccessSignature=...</c>. An <c>EntityPath</c> is refused: Celeriac uses one queue per priority level.
/// </summary>
public sealed record ServiceBusConnectionString(Uri Endpoint, string? KeyName, string? Key, string? SharedAccessSignature, bool UseDevelopmentEmulator)
{
    public static ServiceBusConnectionString Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0) throw new FormatException($"Connection string part '{Redact(part)}' is not key=value.");
            parts[part[..equals].Trim()] = part[(equals + 1)..].Trim();
        }
        if (!parts.TryGetValue("Endpoint", out var endpoint) || string.IsNullOrWhiteSpace(endpoint))
            throw new FormatException("The Service Bus connection string has no Endpoint.");
        if (parts.TryGetValue("EntityPath", out var entity) && entity.Length > 0)
            throw new FormatException("The Service Bus connection string names an EntityPath; Celeriac needs a namespace-level connection string (one queue per priority level).");
        var emulator = parts.TryGetValue("UseDevelopmentEmulator", out var flag) && bool.TryParse(flag, out var on) && on;
        var key = parts.GetValueOrDefault("SharedAccessKey");
        var keyName = parts.GetValueOrDefault("SharedAccessKeyName");
        var signature = parts.GetValueOrDefault("SharedAccessSignature");
        if (signature is null && (string.IsNullOrEmpty(key) || string.IsNullOrEmpty(keyName)))
            throw new FormatException("The Service Bus connection string needs SharedAccessKeyName and SharedAccessKey (or SharedAccessSignature).");
        return new ServiceBusConnectionString(ToHttpEndpoint(endpoint, emulator), keyName, key, signature, emulator);
    }

    /// <summary>
    /// The REST endpoint of a namespace: <c>https://{host}/</c>; for the development emulator <c>http://{host}:{port}/</c>.
    /// Accepts <c>sb://</c>, <c>https://</c>, <c>http://</c> or a bare host name.
    /// </summary>
    public static Uri ToHttpEndpoint(string endpointOrHost, bool useDevelopmentEmulator)
    {
        var text = endpointOrHost.Trim();
        if (!text.Contains("://", StringComparison.Ordinal)) text = "sb://" + text;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            throw new FormatException($"'{endpointOrHost}' is not a Service Bus endpoint.");
        var scheme = useDevelopmentEmulator || uri.Scheme == Uri.UriSchemeHttp ? Uri.UriSchemeHttp : Uri.UriSchemeHttps;
        var builder = new UriBuilder(scheme, uri.Host, uri.IsDefaultPort || uri.Port < 0 ? -1 : uri.Port, "/");
        return builder.Uri;
    }

    private static string Redact(string part) => part.StartsWith("SharedAccess", StringComparison.OrdinalIgnoreCase) ? part[..Math.Min(part.Length, 20)] + "..." : part;

    public override string ToString() => $"Endpoint={Endpoint}; KeyName={KeyName}; Emulator={UseDevelopmentEmulator}";
}
