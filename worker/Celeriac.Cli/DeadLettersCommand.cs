using System.CommandLine;
using System.Text;
using System.Text.Json;
using Celeriac.Brokers;
using Celeriac.Envelope;
using Celeriac.Hosting;
using Celeriac.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Cli;

/// <summary><c>celeriac dead-letters list|replay|delete</c>.</summary>
public static class DeadLettersCommand
{
    /// <summary>Longest args shown by <c>list</c>; the rest is cut with an ellipsis.</summary>
    private const int ArgsShown = 200;

    public static Command Create(CliServices services, TextWriter output, TextWriter error) =>
        new("dead-letters", "Inspect, replay and delete dead letters.") { List(services, output, error), Replay(services, output, error), Delete(services, output, error) };

    private static Command List(CliServices services, TextWriter output, TextWriter error)
    {
        var queue = new Option<string?>("--queue") { Description = "Only dead letters from this queue" };
        var limit = new Option<int?>("--limit") { Description = "Show at most this many (default 100); the count is of all of them", CustomParser = CliValues.Integer("--limit", 1) };
        var command = new Command("list", "List dead letters, oldest first: id, queue, when, task, args (masked for tasks with MaskArgs), reason.") { queue, limit };
        command.SetAction(CliApp.Guard(services, error, async (result, cancellationToken) =>
        {
            await using var provider = services.Build(result);
            var celeriac = provider.GetRequiredService<IConfiguration>().GetSection("Celeriac");
            var letters = await provider.GetRequiredService<IBrokerAdmin>().ListDeadLettersAsync(result.GetValue(queue), int.MaxValue, cancellationToken).ConfigureAwait(false);
            var shown = result.GetValue(limit) ?? 100;
            var masks = new Dictionary<string, bool>(StringComparer.Ordinal);
            foreach (var letter in letters.Take(shown))
                await output.WriteLineAsync($"{letter.Id}\t{letter.Queue}\t{letter.DeadLetteredAt:O}\t{Describe(letter.Body, task => Masked(celeriac, task, masks))}\t{letter.Reason}").ConfigureAwait(false);
            await output.WriteLineAsync(letters.Count > shown
                ? $"{letters.Count} dead letters (the first {shown} shown; raise --limit for more)"
                : $"{letters.Count} dead letters").ConfigureAwait(false);
            return CliApp.Done;
        }));
        return command;
    }

    private static Command Replay(CliServices services, TextWriter output, TextWriter error)
    {
        var ids = new Option<string[]>("--id") { Description = "Replay only these dead-letter ids (repeatable)" };
        var queue = new Option<string?>("--queue") { Description = "Only dead letters from this queue" };
        var limit = new Option<int?>("--limit") { Description = "At most this many (default 1000)", CustomParser = CliValues.Integer("--limit", 1) };
        var command = new Command("replay", "Send dead letters back to their queues with a fresh retry budget.") { ids, queue, limit };
        command.SetAction(CliApp.Guard(services, error, async (result, cancellationToken) =>
        {
            await using var provider = services.Build(result);
            var replayer = new DeadLetterReplayer(provider.GetRequiredService<IBroker>(), provider.GetRequiredService<IBrokerAdmin>());
            var chosen = result.GetValue(ids) is { Length: > 0 } given ? given : null;
            var count = await replayer.ReplayAsync(result.GetValue(queue), chosen, result.GetValue(limit) ?? 1000, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"Replayed {count} dead letters.").ConfigureAwait(false);
            return CliApp.Done;
        }));
        return command;
    }

    private static Command Delete(CliServices services, TextWriter output, TextWriter error)
    {
        var ids = new Option<string[]>("--id") { Description = "Delete these dead-letter ids (repeatable)" };
        var queue = new Option<string?>("--queue") { Description = "Without --id: only the dead letters from this queue" };
        var yes = new Option<bool>("--yes") { Description = "Without --id: confirm deleting every dead letter (of --queue)" };
        var command = new Command("delete", "Delete dead letters for good: the ones given with --id, or with --yes all of them (of --queue). Exit 1 when an id was not there.") { ids, queue, yes };
        command.Validators.Add(result =>
        {
            if (result.GetValue(ids) is { Length: > 0 } && result.GetValue(queue) is not null) result.AddError("give either --id ... or --queue, not both");
        });
        command.SetAction(CliApp.Guard(services, error, async (result, cancellationToken) =>
        {
            await using var provider = services.Build(result);
            var admin = provider.GetRequiredService<IBrokerAdmin>();
            if (result.GetValue(ids) is { Length: > 0 } given)
            {
                var wanted = given.ToHashSet(StringComparer.Ordinal);
                var deleted = await admin.DeleteDeadLettersAsync(wanted, cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"Deleted {deleted} dead letters.").ConfigureAwait(false);
                if (deleted == wanted.Count) return CliApp.Done;
                await error.WriteLineAsync($"{wanted.Count - deleted} of the {wanted.Count} ids given were not dead letters.").ConfigureAwait(false);
                return CliApp.NothingThere;
            }
            var letters = await admin.ListDeadLettersAsync(result.GetValue(queue), int.MaxValue, cancellationToken).ConfigureAwait(false);
            if (!result.GetValue(yes))
            {
                await error.WriteLineAsync($"There are {letters.Count} dead letters{(result.GetValue(queue) is { } q ? $" from '{q}'" : "")}. Add --yes to delete them, or give --id.").ConfigureAwait(false);
                return CliApp.NothingThere;
            }
            var count = letters.Count == 0 ? 0 : await admin.DeleteDeadLettersAsync([.. letters.Select(l => l.Id)], cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"Deleted {count} dead letters.").ConfigureAwait(false);
            return CliApp.Done;
        }));
        return command;
    }

    /// <summary>Whether the task's configuration (<c>Celeriac:Tasks:&lt;name&gt;:MaskArgs</c>, the setting workers read too) asks to mask its args.</summary>
    private static bool Masked(IConfiguration celeriac, string task, Dictionary<string, bool> known)
    {
        if (known.TryGetValue(task, out var masked)) return masked;
        var options = new TaskOptions();
        foreach (var section in TaskConfiguration.Sections(celeriac, task)) section.Bind(options);
        return known[task] = options.MaskArgs;
    }

    /// <summary>Task name, id, attempt and args when the body is an envelope, else the first bytes.</summary>
    internal static string Describe(ReadOnlyMemory<byte> body, Func<string, bool> masked)
    {
        try
        {
            var envelope = EnvelopeSerializer.Deserialize(body.Span);
            var args = envelope.Args.ValueKind == JsonValueKind.Undefined ? "(none)"
                : masked(envelope.Task) ? "(masked)"
                : Shorten(envelope.Args.GetRawText());
            return $"{envelope.Task} {envelope.Id} attempt {envelope.Attempt}\targs {args}";
        }
        catch (InvalidEnvelopeException)
        {
            var text = Encoding.UTF8.GetString(body.Span[..Math.Min(body.Length, 60)]);
            return "raw: " + text.ReplaceLineEndings(" ") + "\t";
        }
    }

    private static string Shorten(string json)
    {
        var line = json.ReplaceLineEndings(" ");
        return line.Length <= ArgsShown ? line : line[..ArgsShown] + "...";
    }
}
