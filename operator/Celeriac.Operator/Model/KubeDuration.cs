using System.Globalization;
using System.Text.RegularExpressions;

namespace Celeriac.Operator.Model;

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

    /// <summary>The CRD's form of a duration (<c>25s</c>, <c>1h30m</c>, <c>1s500ms</c>), which <see cref="Parse"/> reads back exactly.</summary>
    public static string Format(TimeSpan value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
        if (value == TimeSpan.Zero) return "0s";
        var text = new System.Text.StringBuilder();
        if ((long)value.TotalHours is var hours and > 0) text.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        if (value.Minutes > 0) text.Append(value.Minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        if (value.Seconds > 0) text.Append(value.Seconds.ToString(CultureInfo.InvariantCulture)).Append('s');
        var fraction = value.Ticks % TimeSpan.TicksPerSecond;
        if (fraction > 0) text.Append((fraction / (decimal)TimeSpan.TicksPerMillisecond).ToString("0.####", CultureInfo.InvariantCulture)).Append("ms");
        return text.ToString();
    }

    /// <summary>The worker reads TimeSpan strings (<c>00:00:30</c>, <c>1.00:00:00</c>).</summary>
    public static string ToConfig(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$")]
    private static partial Regex WholePattern();

    [GeneratedRegex(@"([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)")]
    private static partial Regex PartPattern();
}
