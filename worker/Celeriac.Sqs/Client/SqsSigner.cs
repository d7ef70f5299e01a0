using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Celeriac.Sqs.Client;

/// <summary>
/// AWS Signature Version 4 for one POST of the SQS JSON protocol: the canonical request over the path, the
/// headers listed in <see cref="SignedHeaders"/> order and the SHA-256 of the body; the signing key derived
/// from the secret, date, region and service.
/// </summary>
public static class SqsSigner
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>The Authorization header value for a request with the given (lower-case name → value) headers, which must include host and x-amz-date.</summary>
    public static string Authorization(string method, Uri uri, IReadOnlyDictionary<string, string> headers, ReadOnlySpan<byte> body,
        SqsCredentials credentials, string region, string service, DateTime signedAtUtc)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(credentials);
        var date = signedAtUtc.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var scope = $"{date}/{region}/{service}/aws4_request";
        var names = headers.Keys.Select(k => k.ToLowerInvariant()).Order(StringComparer.Ordinal).ToList();
        var signedHeaders = string.Join(';', names);
        var canonical = CanonicalRequest(method, uri, headers, signedHeaders, names, Hex(SHA256.HashData(body)));
        var stringToSign = string.Join('\n', Algorithm, signedAtUtc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture), scope,
            Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))));
        var key = SigningKey(credentials.SecretAccessKey, date, region, service);
        var signature = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        return $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
    }

    internal static string CanonicalRequest(string method, Uri uri, IReadOnlyDictionary<string, string> headers, string signedHeaders, IReadOnlyList<string> names, string bodyHash)
    {
        var lookup = headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value, StringComparer.Ordinal);
        var builder = new StringBuilder();
        builder.Append(method).Append('\n');
        builder.Append(CanonicalPath(uri)).Append('\n');
        builder.Append(CanonicalQuery(uri)).Append('\n');
        foreach (var name in names) builder.Append(name).Append(':').Append(Trim(lookup[name])).Append('\n');
        builder.Append('\n').Append(signedHeaders).Append('\n').Append(bodyHash);
        return builder.ToString();
    }

    private static string CanonicalPath(Uri uri)
    {
        var path = uri.AbsolutePath;
        if (string.IsNullOrEmpty(path)) return "/";
        // Each segment is encoded once more, as every AWS service but S3 expects.
        return string.Join('/', path.Split('/').Select(segment => Uri.EscapeDataString(Uri.UnescapeDataString(segment))));
    }

    private static string CanonicalQuery(Uri uri)
    {
        var query = uri.Query.TrimStart('?');
        if (query.Length == 0) return "";
        var pairs = query.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p =>
        {
            var eq = p.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(eq < 0 ? p : p[..eq]);
            var value = eq < 0 ? "" : Uri.UnescapeDataString(p[(eq + 1)..]);
            return (Name: Uri.EscapeDataString(name), Value: Uri.EscapeDataString(value));
        });
        return string.Join('&', pairs.OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal).Select(p => $"{p.Name}={p.Value}"));
    }

    /// <summary>Trims and collapses runs of spaces, as the canonical header form requires.</summary>
    private static string Trim(string value)
    {
        var builder = new StringBuilder(value.Length);
        var space = false;
        foreach (var c in value.Trim())
        {
            if (c == ' ')
            {
                if (!space) builder.Append(c);
                space = true;
            }
            else
            {
                builder.Append(c);
                space = false;
            }
        }
        return builder.ToString();
    }

    internal static byte[] SigningKey(string secret, string date, string region, string service)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
