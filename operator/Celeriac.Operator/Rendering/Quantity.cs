using System.Globalization;
using System.Text.RegularExpressions;

namespace Celeriac.Operator.Rendering;

/// <summary>Kubernetes resource quantities (<c>512Mi</c>, <c>1G</c>, <c>1.5Gi</c>, <c>1e9</c>) as numbers.</summary>
public static partial class Quantity
{
    public static bool TryParse(string? text, out decimal value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var match = QuantityPattern().Match(text.Trim());
        if (!match.Success) return false;
        if (!decimal.TryParse(match.Groups["number"].Value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)) return false;
        var suffix = match.Groups["suffix"].Value;
        decimal multiplier;
        if (suffix.Length > 1 && (suffix[0] is 'e' or 'E'))
        {
            if (!int.TryParse(suffix[1..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exponent) || Math.Abs(exponent) > 24) return false;
            multiplier = (decimal)Math.Pow(10, exponent);
        }
        else
        {
            multiplier = suffix switch
            {
                "" => 1m,
                "n" => 0.000000001m,
                "u" => 0.000001m,
                "m" => 0.001m,
                "k" => 1e3m,
                "M" => 1e6m,
                "G" => 1e9m,
                "T" => 1e12m,
                "P" => 1e15m,
                "E" => 1e18m,
                "Ki" => 1024m,
                "Mi" => 1024m * 1024,
                "Gi" => 1024m * 1024 * 1024,
                "Ti" => 1024m * 1024 * 1024 * 1024,
                "Pi" => 1024m * 1024 * 1024 * 1024 * 1024,
                "Ei" => 1024m * 1024 * 1024 * 1024 * 1024 * 1024,
                _ => 0m,
            };
            if (multiplier == 0m) return false;
        }
        value = number * multiplier;
        return true;
    }

    [GeneratedRegex(@"^(?<number>[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+))(?<suffix>[KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$")]
    private static partial Regex QuantityPattern();
}
