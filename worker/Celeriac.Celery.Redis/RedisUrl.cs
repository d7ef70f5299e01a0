using Celeriac.Hosting;
using StackExchange.Redis;

namespace Celeriac.Celery.Redis;

/// <summary>
/// Redis addresses as Celery users have them: a Redis URL (<c>redis://[[user]:password@]host[:port][/db]</c>, <c>rediss://</c>
/// for TLS) becomes a StackExchange.Redis configuration; anything else is read as a StackExchange.Redis connection string.
/// </summary>
public static class RedisUrl
{
    public static ConfigurationOptions Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        if (!text.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) && !text.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase))
            return ConfigurationOptions.Parse(text);
        var uri = new Uri(text);
        var options = new ConfigurationOptions();
        options.EndPoints.Add(uri.Host, uri.IsDefaultPort || uri.Port <= 0 ? 6379 : uri.Port);
        options.Ssl = uri.Scheme.Equals("rediss", StringComparison.OrdinalIgnoreCase);
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var user = Uri.UnescapeDataString(colon < 0 ? "" : uri.UserInfo[..colon]);
            var password = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[(colon + 1)..]);
            if (user.Length > 0) options.User = user;
            if (password.Length > 0) options.Password = password;
        }
        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
            options.DefaultDatabase = int.TryParse(path, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var db)
                ? db
                : throw new FormatException($"The database of a Redis URL is a number (was '{path}').");
        return options;
    }

    /// <summary>Records a failure when <paramref name="text"/> is set and neither form, or names no endpoint. Never quotes a password.</summary>
    internal static void Check(string? text, string key, OptionsCheck check)
    {
        if (string.IsNullOrWhiteSpace(text)) return;
        try
        {
            if (Parse(text).EndPoints.Count == 0) check.Fail(key, "names no Redis endpoint (host:port).");
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or UriFormatException or NotSupportedException)
        {
            check.Fail(key, "is neither a Redis URL nor a StackExchange.Redis connection string.");
        }
    }

    /// <summary>A multiplexer that does not fail when Redis is away at start; commands fail fast until it reconnects.</summary>
    internal static ConnectionMultiplexer Connect(string text)
    {
        var options = Parse(text);
        options.AbortOnConnectFail = false;
        options.ReconnectRetryPolicy = new ExponentialRetry(100, 5_000);
        return ConnectionMultiplexer.Connect(options);
    }
}
