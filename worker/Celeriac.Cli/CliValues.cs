using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json;

namespace Celeriac.Cli;

/// <summary>
/// Parsers of typed option values that word a bad value for people (<c>--countdown: 'abc' is not a number of
/// seconds</c>); System.CommandLine's own message names the .NET type it expected.
/// </summary>
internal static class CliValues
{
    public static Func<ArgumentResult, double?> Seconds(string option) => result => Parse<double>(result, option, "a number of seconds (e.g. 10 or 2.5)",
        text => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value >= 0 ? value : (double?)null);

    public static Func<ArgumentResult, int?> Integer(string option, int minimum) => result => Parse<int>(result, option,
        string.Create(CultureInfo.InvariantCulture, $"a whole number of at least {minimum}"),
        text => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= minimum ? value : (int?)null);

    public static Func<ArgumentResult, TimeSpan?> Duration(string option) => result => Parse<TimeSpan>(result, option, "a duration like 00:00:30 or 1.00:00:00",
        text => TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value >= TimeSpan.Zero ? value : (TimeSpan?)null);

    /// <summary><c>--args</c> must be a JSON object: a task's argument record binds from one.</summary>
    public static void JsonObject(OptionResult result)
    {
        if (result.Tokens.Count == 0) return;
        var text = result.Tokens[^1].Value;
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                result.AddError($"--args must be a JSON object such as '{{\"name\": \"Ada\"}}' (was a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()})");
        }
        catch (JsonException e)
        {
            result.AddError($"--args is not valid JSON: {e.Message}");
        }
    }

    private static T? Parse<T>(ArgumentResult result, string option, string expected, Func<string, T?> parse) where T : struct
    {
        if (result.Tokens.Count == 0) return null;
        var text = result.Tokens[^1].Value;
        if (parse(text) is { } value) return value;
        result.AddError($"{option}: '{text}' is not {expected}");
        return null;
    }
}
