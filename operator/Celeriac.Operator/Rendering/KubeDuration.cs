using System.Globalization;
using System.Text.RegularExpressions;

namespace Celeriac.Operator.Rendering;

/// <summary>Durations as the CRD writes them (Go style: <c>30s</c>, <c>1h30m</c>, <c>500ms</c>).</summary>
public static partial class KubeDuration
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text) || !WholePattern().IsMatch(text)) return false;
        foreach (Match part in PartPattern().Matches(text))
        {
            var amount = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            value += part.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                _ => TimeSpan.FromHours(amount),
            };
        }
        return true;
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"'{text}' is not a duration like 30s, 5m or 1h30m");

    /// <summary>The worker reads TimeSpan strings (<c>00:00:30</c>, <c>1.00:00:00</c>).</summary>
    public static string ToConfig(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$")]
    private static partial Regex WholePattern();

    [GeneratedRegex(@"([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)")]
    private static partial Regex PartPattern();
}
