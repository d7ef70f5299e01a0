using Celeriac.Hosting;
using StackExchange.Redis;

namespace Celeriac.Redis;

/// <summary>What the broker's and the store's options have in common: a connection string and a key prefix.</summary>
internal static class RedisConnectionRules
{
    public static void Check(string? connectionString, string? keyPrefix, OptionsCheck check)
    {
        check.Required(connectionString, "ConnectionString");
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            try
            {
                if (ConfigurationOptions.Parse(connectionString).EndPoints.Count == 0)
                    check.Fail("ConnectionString", "names no Redis endpoint (host:port).");
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or NotSupportedException)
            {
                // The parser's message quotes the offending option; it holds no password unless the password itself was malformed.
                check.Fail("ConnectionString", "is not a StackExchange.Redis connection string: " + ex.Message);
            }
        }
        check.Required(keyPrefix, "KeyPrefix");
        // A brace would change the hash tags that keep one queue's keys in one cluster slot.
        if (keyPrefix is not null && keyPrefix.AsSpan().IndexOfAny('{', '}') >= 0)
            check.Fail("KeyPrefix", $"must not contain '{{' or '}}' (was '{keyPrefix}').");
    }
}
