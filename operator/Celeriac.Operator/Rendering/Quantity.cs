using System.Text.RegularExpressions;
using k8s.Models;

namespace Celeriac.Operator.Rendering;

/// <summary>Kubernetes resource quantities (<c>512Mi</c>, <c>1G</c>, <c>1.5Gi</c>, <c>1e9</c>) as numbers.</summary>
public static partial class Quantity
{
    /// <summary>
    /// KubernetesClient's <see cref="ResourceQuantity"/> computes the value; the text must first match the API server's
    /// quantity grammar, because ResourceQuantity also reads forms the server refuses (surrounding spaces, for one).
    /// </summary>
    public static bool TryParse(string? text, out decimal value)
    {
        value = 0;
        if (text is null || !Grammar().IsMatch(text)) return false;
        try
        {
            value = new ResourceQuantity(text).ToDecimal();
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$")]
    private static partial Regex Grammar();
}
