using System.Globalization;

namespace Celeriac.Prometheus;

/// <summary>The escaping and number rules of the Prometheus text exposition format 0.0.4.</summary>
public static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Label values escape backslash, double quote and line feed.</summary>
    public static string EscapeLabelValue(string value)
    {
        if (value.AsSpan().IndexOfAny("\\\"\n") < 0) return value;
        return value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
    }

    /// <summary>HELP text escapes backslash and line feed (not quotes).</summary>
    public static string EscapeHelp(string help) =>
        help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    public static string FormatValue(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    internal static void WriteSample(TextWriter writer, string name, KeyValuePair<string, string>[] labels, string? le, double value)
    {
        writer.Write(name);
        if (labels.Length > 0 || le is not null)
        {
            writer.Write('{');
            var first = true;
            foreach (var (key, labelValue) in labels)
            {
                if (!first) writer.Write(',');
                first = false;
                writer.Write(key);
                writer.Write("=\"");
                writer.Write(EscapeLabelValue(labelValue));
                writer.Write('"');
            }
            if (le is not null)
            {
                if (!first) writer.Write(',');
                writer.Write("le=\"");
                writer.Write(le);
                writer.Write('"');
            }
            writer.Write('}');
        }
        writer.Write(' ');
        writer.Write(FormatValue(value));
        writer.Write('\n');
    }
}
