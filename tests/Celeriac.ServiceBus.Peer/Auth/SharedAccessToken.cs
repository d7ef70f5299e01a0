using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Celeriac.ServiceBus.Peer.Auth;

/// <summary>
/// Shared Access Signature tokens as Service Bus documents them ("Service Bus access control with Shared Access
/// Signatures"): <c>SharedAccessSignature sr={url-encoded resource}&amp;sig={signature}&amp;se={expiry}&amp;skn={key name}</c>,
/// where signature = base64(HMAC-SHA256(key, sr + "\n" + se)); a token grants access to its resource URI and everything under it.
/// </summary>
internal static class SharedAccessToken
{
    private const string Prefix = "SharedAccessSignature ";

    /// <summary>The token's resource when the signature, the key name and the expiry check out; null otherwise.</summary>
    public static Uri? Validate(string? token, string keyName, string key, DateTimeOffset now)
    {
        if (token is null || !token.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        var fields = token[Prefix.Length..].Split('&').Select(p => p.Split('=', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0], StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First()[1], StringComparer.Ordinal);
        if (!fields.TryGetValue("sr", out var sr) || !fields.TryGetValue("sig", out var sig) || !fields.TryGetValue("se", out var se) || !fields.TryGetValue("skn", out var skn)) return null;
        if (!string.Equals(WebUtility.UrlDecode(skn), keyName, StringComparison.Ordinal)) return null;
        var expiry = WebUtility.UrlDecode(se);
        if (!long.TryParse(expiry, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds <= now.ToUnixTimeSeconds()) return null;
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(sr + "\n" + expiry));
        byte[] given;
        try { given = Convert.FromBase64String(WebUtility.UrlDecode(sig)); }
        catch (FormatException) { return null; }
        if (!CryptographicOperations.FixedTimeEquals(expected, given)) return null;
        return Uri.TryCreate(WebUtility.UrlDecode(sr), UriKind.Absolute, out var resource) ? resource : null;
    }

    /// <summary>Whether a token for <paramref name="resource"/> covers <paramref name="audience"/>: same host, and the audience's path at or under the resource's (the scheme differs between transports and is not compared).</summary>
    public static bool Covers(Uri resource, Uri audience)
    {
        if (!string.Equals(resource.Host, audience.Host, StringComparison.OrdinalIgnoreCase)) return false;
        var scope = resource.AbsolutePath.TrimEnd('/');
        var path = audience.AbsolutePath.TrimEnd('/');
        return scope.Length == 0 || string.Equals(path, scope, StringComparison.OrdinalIgnoreCase) || path.StartsWith(scope + "/", StringComparison.OrdinalIgnoreCase);
    }
}
