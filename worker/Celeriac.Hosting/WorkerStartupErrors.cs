using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Celeriac.Hosting;

/// <summary>
/// The failures of a worker host's start that are its configuration's (a value that does not bind or breaks a rule, an
/// unknown broker, a missing task assembly, an unreadable settings file, a port in use), worded in one line that names
/// the key and the value. Anything else is a bug and keeps its stack trace.
/// </summary>
public static partial class WorkerStartupErrors
{
    /// <returns>The line to print, or null when the exception is not a configuration error.</returns>
    public static string? Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            OptionsValidationException invalid => string.Join("; ", invalid.Failures),
            AggregateException aggregate when aggregate.InnerExceptions.Select(Describe).ToList() is var lines && lines.All(l => l is not null) => string.Join("; ", lines.Distinct()),
            InvalidOperationException when FailedBinding().Match(exception.Message) is { Success: true } binding =>
                $"{binding.Groups["key"].Value} is '{binding.Groups["value"].Value}', which is not {Expected(binding.Groups["type"].Value)}.",
            InvalidOperationException or FormatException or ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException or BadImageFormatException
                or System.Data.Common.DbException => Messages(exception),
            _ => null,
        };
    }

    /// <summary>The messages of an exception and of the ones it wraps that add something, in one line.</summary>
    private static string Messages(Exception exception)
    {
        var parts = new List<string>();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            var message = e.Message.ReplaceLineEndings(" ").Trim().TrimEnd('.');
            if (parts.Count == 0 || !parts[^1].Contains(message, StringComparison.Ordinal)) parts.Add(message);
        }
        return string.Join(": ", parts) + ".";
    }

    private static string Expected(string type) => type switch
    {
        "System.Int32" or "System.Int64" or "System.Int16" or "System.UInt32" or "System.UInt64" => "a whole number",
        "System.Double" or "System.Single" or "System.Decimal" => "a number",
        "System.TimeSpan" => "a duration like 00:00:30 (hh:mm:ss) or 1.00:00:00",
        "System.Boolean" => "true or false",
        "System.Uri" => "a URI",
        _ when type.StartsWith("System.Nullable`1[[", StringComparison.Ordinal) => Expected(type["System.Nullable`1[[".Length..].Split(',')[0]),
        _ when FindType(type) is { IsEnum: true } enumType => "one of " + string.Join(", ", Enum.GetNames(enumType)),
        _ => string.Create(CultureInfo.InvariantCulture, $"a valid {type.Split('.')[^1]}"),
    };

    private static Type? FindType(string fullName) =>
        AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(fullName, throwOnError: false)).FirstOrDefault(t => t is not null);

    // Microsoft.Extensions.Configuration.Binder's message for a value that does not convert.
    [GeneratedRegex(@"^Failed to convert configuration value '(?<value>.*)' at '(?<key>[^']*)' to type '(?<type>[^']*)'\.", RegexOptions.Singleline)]
    private static partial Regex FailedBinding();
}
