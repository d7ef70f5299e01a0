using System.Text.RegularExpressions;

namespace Celeriac.Chart.Tests;

/// <summary>
/// Without a Helm binary to render them, the templates keep to a small set of Go template keywords and Helm/Sprig
/// functions, so that a misspelt function (nident, toYAML) fails here rather than at install time.
/// </summary>
public sealed partial class TemplateFunctionTests
{
    private static readonly HashSet<string> Known =
    [
        // Go template keywords and built-ins.
        "if", "else", "end", "with", "range", "define", "template", "and", "or", "not", "eq", "ne", "lt", "le", "gt", "ge", "len", "printf", "print",
        // Helm and Sprig functions the chart uses.
        "include", "default", "trunc", "trimSuffix", "replace", "contains", "quote", "toYaml", "nindent", "indent", "int",
    ];

    [Fact]
    public void Every_function_in_a_template_action_is_a_known_helm_function()
    {
        var unknown = new List<string>();
        foreach (var file in Templates.Files())
        {
            foreach (Match action in Action().Matches(File.ReadAllText(file)))
            {
                var code = StringLiteral().Replace(action.Groups[1].Value, "\"\"");
                if (code.StartsWith("/*", StringComparison.Ordinal)) continue;
                foreach (Match word in Identifier().Matches(code))
                    if (!Known.Contains(word.Value)) unknown.Add($"{Path.GetFileName(file)}: {word.Value} in {{{{{action.Groups[1].Value}}}}}");
            }
        }
        Assert.Empty(unknown);
    }

    [Fact]
    public void A_misspelt_function_is_caught()
    {
        var code = StringLiteral().Replace("- toYaml . | nident 4 ", "\"\"");
        Assert.Contains("nident", Identifier().Matches(code).Select(m => m.Value).Where(w => !Known.Contains(w)));
    }

    [GeneratedRegex(@"\{\{(.*?)\}\}", RegexOptions.Singleline)]
    private static partial Regex Action();

    [GeneratedRegex(@"""(?:[^""\\]|\\.)*""")]
    private static partial Regex StringLiteral();

    // A bare identifier: not a field (.Values.x), a variable ($x) or a part of either.
    [GeneratedRegex(@"(?<![.$\w])[A-Za-z_]\w*")]
    private static partial Regex Identifier();
}
