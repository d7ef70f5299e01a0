using System.CommandLine.Parsing;
using System.Text;
using System.Text.RegularExpressions;
using Celeriac.Cli;
using Celeriac.WorkerHost;
using Xunit;

namespace Celeriac.EndToEnd.Tests;

/// <summary>
/// Every <c>celeriac</c> and <c>celeriac-worker</c> command line that the README, the docs and the template show (in code
/// blocks and inline code) parses as written with the commands' own parsers: no unknown command or option, no value
/// of the wrong kind. Optional parts in brackets are checked as given; <c>...</c> stands for more of the same. Inline code
/// may only name a command (<c>celeriac result</c>): there, what the command still needs is not asked for.
/// ReadmeCommandsTests does the same for the <c>make</c> examples; CliTests runs the commands themselves.
/// </summary>
public sealed partial class DocumentedCommandLinesTests
{
    public static TheoryData<string, string, bool> DocumentedLines()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var (where, line, whole) in CommandLines()) data.Add(where, line, whole);
        return data;
    }

    [Fact]
    public void The_docs_show_both_commands()
    {
        var lines = CommandLines().Select(l => l.Line).ToList();
        Assert.Contains(lines, l => l.StartsWith("celeriac-worker ", StringComparison.Ordinal));
        Assert.True(lines.Count(l => l.StartsWith("celeriac ", StringComparison.Ordinal)) >= 15, string.Join('\n', lines));
    }

    [Theory]
    [MemberData(nameof(DocumentedLines))]
    public void A_documented_command_line_parses(string where, string line, bool whole)
    {
        var words = Words(line);
        var args = words.Skip(1).Where(w => w != "...").ToArray();
        using var output = new StringWriter();
        using var error = new StringWriter();
        if (words[0] == "celeriac")
        {
            var result = CliApp.Create(output, error).Parse(args);
            // A command named in passing: every word known, every value given of the right kind.
            var errors = whole ? result.Errors : [.. result.Errors.Where(e => e.SymbolResult is not (CommandResult or ArgumentResult { Tokens.Count: 0 }))];
            Assert.True(errors.Count == 0 && result.UnmatchedTokens.Count == 0, $"{where}: {line}\n{string.Join('\n', result.Errors.Select(e => e.Message))}");
        }
        else
        {
            var parsed = WorkerCommandLine.Parse(args, output, error);
            Assert.True(parsed.Arguments is not null || parsed.ExitCode == 0, $"{where}: {line}\n{error}");
        }
    }

    /// <summary>The command lines of the README, docs/*.md and the template's README, with where each one is.</summary>
    /// <returns>Whole marks a line of a code block, which must run as written.</returns>
    private static IEnumerable<(string Where, string Line, bool Whole)> CommandLines()
    {
        var root = RepositoryRoot.Path;
        var files = new[] { "README.md", Path.Combine("templates", "celeriac-worker", "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md").Select(f => Path.GetRelativePath(root, f)))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var text = File.ReadAllLines(Path.Combine(root, file));
            var fenced = false;
            for (var i = 0; i < text.Length; i++)
            {
                var where = $"{file}:{i + 1}";
                if (text[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    fenced = !fenced;
                    continue;
                }
                if (fenced)
                {
                    var command = Command(WithoutComment(text[i]));
                    if (command is not null) yield return (where, command, true);
                    continue;
                }
                foreach (Match inline in InlineCode().Matches(text[i]))
                {
                    // `celeriac dead-letters list|replay|delete` names several commands at once.
                    if (inline.Groups[1].Value.Contains('|', StringComparison.Ordinal)) continue;
                    yield return (where, inline.Groups[1].Value.Trim(), false);
                }
            }
        }
    }

    /// <summary>The celeriac or celeriac-worker command of a shell line (after any VAR=value), brackets of optional parts removed.</summary>
    private static string? Command(string line)
    {
        var match = ShellCommand().Match(line);
        return match.Success ? match.Groups[1].Value.Replace("[", "", StringComparison.Ordinal).Replace("]", "", StringComparison.Ordinal).Trim() : null;
    }

    private static string WithoutComment(string line)
    {
        char? quote = null;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote is not null)
            {
                if (c == quote) quote = null;
            }
            else if (c is '\'' or '"') quote = c;
            else if (c == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1]))) return line[..i];
        }
        return line;
    }

    /// <summary>Splits as a POSIX shell would for these lines: blanks separate words, quotes group and are removed.</summary>
    private static List<string> Words(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        foreach (var c in line)
        {
            if (quote is not null)
            {
                if (c == quote) quote = null;
                else word.Append(c);
            }
            else if (c is '\'' or '"')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord) words.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }
        if (inWord) words.Add(word.ToString());
        return words;
    }

    [GeneratedRegex(@"^\s*(?:\$\s+)?(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*((?:celeriac|celeriac-worker)\s+\S.*)$")]
    private static partial Regex ShellCommand();

    [GeneratedRegex(@"`((?:celeriac|celeriac-worker) [^`]+)`")]
    private static partial Regex InlineCode();
}
