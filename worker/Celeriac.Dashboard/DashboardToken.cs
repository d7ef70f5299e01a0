using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Celeriac.Dashboard;

/// <summary>The token the dashboard's actions need: configured, read from a file, or generated at start (then <see cref="Generated"/>).</summary>
public sealed class DashboardToken
{
    private readonly byte[] _token;

    public DashboardToken(IOptions<DashboardOptions> options)
    {
        var o = options.Value;
        var token = o.Token?.Trim() ?? (o.TokenFile is { } file ? File.ReadAllText(file).Trim() : null);
        Generated = string.IsNullOrEmpty(token);
        Value = Generated ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)) : token!;
        _token = Encoding.UTF8.GetBytes(Value);
    }

    public string Value { get; }

    public bool Generated { get; }

    /// <summary>Whether <paramref name="candidate"/> is the token, in time that does not depend on where they differ.</summary>
    public bool Matches(string? candidate) =>
        candidate is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), _token);
}
