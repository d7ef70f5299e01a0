using System.CommandLine;
using System.Text;
using System.Text.Json;
using Celeriac.Brokers;
using Celeriac.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Cli;

/// <summary>The <c>celeriac</c> commands.</summary>
public static class CliApp
{
    /// <param name="settings">Configuration applied over the environment (e.g. <c>Celeriac:Broker:Redis:ConnectionString</c>).</param>
    public static RootCommand Create(TextWriter output, TextWriter error, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var broker = new Option<string?>("--broker") { Description = "Broker type (default: Celeriac__Broker__Type, else sqlite)", Recursive = true };
        var db = new Option<string?>("--db") { Description = "SQLite broker file (default: Celeriac__Broker__Sqlite__Path, else celeriac.db)", Recursive = true };
        var root = new RootCommand("Celeriac: enqueue tasks, inspect queues, purge, handle dead letters, revoke tasks, read results and show a TaskQueue's status.");
        root.Options.Add(broker);
        root.Options.Add(db);

        ServiceProvider Services(ParseResult r) => CliServices.Build(r.GetValue(broker), r.GetValue(db), settings);

        root.Subcommands.Add(EnqueueCommand(Services, output, error));
        root.Subcommands.Add(QueuesCommand(Services, output, error));
        root.Subcommands.Add(PurgeCommand(Services, output, error));
        root.Subcommands.Add(DeadLettersCommand(Services, output, error));
        root.Subcommands.Add(RevokeCommand(Services, output, error));
        root.Subcommands.Add(ResultCommand(Services, output, error));
        root.Subcommands.Add(InspectCommand.Create(Services, output, error));
        root.Subcommands.Add(StatusCommand.Create(output, error));
        return root;
    }

    private static Command EnqueueCommand(Func<ParseResult, ServiceProvider> services, TextWriter output, TextWriter error)
    {
        var task = new Argument<string>("task") { Description = "Registered task name, e.g. emails.send" };
        var args = new Option<string>("--args") { Description = "Arguments as a JSON object", DefaultValueFactory = _ => "{}" };
        var queue = new Option<string?>("--queue") { Description = "Queue (default: the task's, else 'default')" };
        var countdown = new Option<double?>("--countdown") { Description = "Seconds to wait before running" };
        var expiresIn = new Option<double?>("--expires-in") { Description = "Discard if not started within these seconds" };
        var priority = new Option<int?>("--priority") { Description = "Send to the declared queue for this priority" };
        var header = new Option<string[]>("--header") { Description = "Header as name=value (repeatable)", AllowMultipleArgumentsPerToken = false };
        var count = new Option<int>("--count") { Description = "Enqueue this many copies in broker batches (load tests, backfills); prints how many", DefaultValueFactory = _ => 1 };
        var command = new Command("enqueue", "Enqueue a task; prints its id (with --count, how many were enqueued).") { task, args, queue, countdown, expiresIn, priority, header, count };
        command.SetAction(Guard(error, async (result, cancellationToken) =>
        {
            JsonElement json;
            try
            {
                json = JsonDocument.Parse(result.GetValue(args)!).RootElement.Clone();
            }
            catch (JsonException ex)
            {
                throw new ArgumentException($"--args is not valid JSON: {ex.Message}", ex);
            }
            var headers = (result.GetValue(header) ?? []).Select(h => h.Split('=', 2)).ToDictionary(
                p => p[0], p => p.Length == 2 ? p[1] : throw new ArgumentException($"--header '{p[0]}' must be name=value"));
            await using var provider = services(result);
            var client = provider.GetRequiredService<ITaskClient>();
            var options = new EnqueueOptions
            {
                Queue = result.GetValue(queue),
                Countdown = result.GetValue(countdown) is { } c ? TimeSpan.FromSeconds(c) : null,
                ExpiresIn = result.GetValue(expiresIn) is { } e ? TimeSpan.FromSeconds(e) : null,
                Priority = result.GetValue(priority),
                Headers = headers.Count > 0 ? headers : null,
            };
            var copies = result.GetValue(count);
            if (copies < 1) throw new ArgumentException("--count must be at least 1");
            if (copies == 1)
            {
                output.WriteLine(await client.EnqueueAsync(result.GetValue(task)!, json, options, cancellationToken));
                return 0;
            }
            var sent = await client.EnqueueManyAsync(result.GetValue(task)!, Repeat(json, copies), options, cancellationToken);
            output.WriteLine($"enqueued {sent}");
            return 0;
        }));
        return command;
    }

    private static async IAsyncEnumerable<JsonElement> Repeat(JsonElement args, int count)
    {
        for (var i = 0; i < count; i++) yield return args;
        await Task.CompletedTask.ConfigureAwait(false);
    }

    private static Command QueuesCommand(Func<ParseResult, ServiceProvider> services, TextWriter output, TextWriter error)
    {
        var command = new Command("queues", "Show the depth of every queue: ready, running (leased) and delayed messages.");
        command.SetAction(Guard(error, async (result, cancellationToken) =>
        {
            await using var provider = services(result);
            var admin = provider.GetRequiredService<IBrokerAdmin>();
            var broker = provider.GetRequiredService<IBroker>();
            output.WriteLine($"{"queue",-24} {"ready",10} {"running",10} {"delayed",10}");
            foreach (var queue in await admin.ListQueuesAsync(cancellationToken))
            {
                var depth = await broker.GetDepthAsync(queue, cancellationToken);
                output.WriteLine($"{queue,-24} {depth.Ready,10} {depth.InFlight,10} {depth.Delayed,10}");
            }
            var dead = await admin.ListDeadLettersAsync(null, int.MaxValue, cancellationToken);
            output.WriteLine($"{"(dead letters)",-24} {dead.Count,10}");
            return 0;
        }));
        return command;
    }

    private static Command PurgeCommand(Func<ParseResult, ServiceProvider> services, TextWriter output, TextWriter error)
    {
        var queue = new Argument<string>("queue") { Description = "Queue to empty" };
        var yes = new Option<bool>("--yes") { Description = "Confirm: delete every message of the queue" };
        var command = new Command("purge", "Delete every message of a queue (ready, delayed and running).") { queue, yes };
        command.SetAction(Guard(error, async (result, cancellationToken) =>
        {
            var name = result.GetValue(queue)!;
            await using var provider = services(result);
            if (!result.GetValue(yes))
            {
                var depth = await provider.GetRequiredService<IBroker>().GetDepthAsync(name, cancellationToken);
                error.WriteLine($"Queue '{name}' holds {depth.Total} messages. Add --yes to delete them.");
                return 1;
            }
            var purged = await provider.GetRequiredService<IBrokerAdmin>().PurgeAsync(name, cancellationToken);
            output.WriteLine($"Purged {purged} messages from '{name}'.");
            return 0;
        }));
        return command;
    }

    private static Command DeadLettersCommand(Func<ParseResult, ServiceProvider> services, TextWriter output, TextWriter error)
    {
        var queue = new Option<string?>("--queue") { Description = "Only dead letters from this queue" };
        var limit = new Option<int>("--limit") { Description = "At most this many", DefaultValueFactory = _ => 100 };
        var list = new Command("list", "List dead letters with their reasons.") { queue, limit };
        list.SetAction(Guard(error, async (result, cancellationToken) =>
        {
            await using var provider = services(result);
            var letters = await provider.GetRequiredService<IBrokerAdmin>().ListDeadLettersAsync(result.GetValue(queue), result.GetValue(limit), cancellationToken);
            foreach (var letter in letters)
                output.WriteLine($"{letter.Id}\t{letter.Queue}\t{letter.DeadLetteredAt:O}\t{Describe(letter.Body)}\t{letter.Reason}");
            output.WriteLine($"{letters.Count} dead letters");
            return 0;
        }));

        var ids = new Option<string[]>("--id") { Description = "Replay only these dead-letter ids (repeatable)" };
        var replayQueue = new Option<string?>("--queue") { Description = "Only dead letters from this queue" };
        var replayLimit = new Option<int>("--limit") { Description = "At most this many", DefaultValueFactory = _ => 1000 };
        var replay = new Command("replay", "Send dead letters back to their queues with a fresh retry budget.") { ids, replayQueue, replayLimit };
        replay.SetAction(Guard(error, async (result, cancellationToken) =>
        {
            await using var provider = services(result);
            var replayer = new DeadLetterReplayer(provider.GetRequiredService<IBroker>(), provider.GetRequiredService<IBrokerAdmin>());
            var chosen = result.GetValue(ids) is { Length: > 0 } given ? given : null;
            var count = await replayer.ReplayAsync(result.GetValue(replayQueue), chosen, result.GetValue(replayLimit), cancellationToken);
            output.WriteLine($"Replayed {count} dead letters.");
            return 0;
        }));

        return new Command("dead-letters", "Inspect and replay dead letters.") { list, replay };
    }

    private static Command RevokeCommand(Func<ParseResult, ServiceProvider> services, TextWriter output, TextWriter error)
    {
        var id = new Argument<string?>("id") { Description = "Task id", Arity = ArgumentArity.ZeroOrOne };
        var task = new Option<string?>("--task") { Description = "Revoke every queued or running task of this name (enqueued until now) instead of one id" };
        var expires = new Option<TimeSpan?>("--expires") { Description = "How long the revocation is remembered (default 1 day)" };
        var command = new Command("revoke", "Revoke a task, or every task of a name: discarded if still queued, cancelled within a second if running.") { id, task, expires };
        command.SetAction(Guard(error, async (result, cancellationToken) =>
        {
            var taskId = result.GetValue(id);
            var taskName = result.GetValue(task);
            if (string.IsNullOrEmpty(taskId) == string.IsNullOrEmpty(taskName)) throw new ArgumentException("give either a task id or --task NAME");
            await using var provider = services(result);
            RequireSharedStore(provider);
            var control = provider.GetRequiredService<TaskControl>();
            if (taskName is not null)
            {
                await control.RevokeTaskNameAsync(taskName, result.GetValue(expires), cancellationToken);
                output.WriteLine($"Revoked every '{taskName}' task enqueued until now.");
            }
            else
            {
                await control.RevokeAsync(taskId!, result.GetValue(expires), cancellationToken);
                output.WriteLine($"Revoked {taskId}.");
            }
            return 0;
        }));
        return command;
    }

    /// <summary>Revocations and results live in the store: one that only this process sees would silently do nothing.</summary>
    internal static void RequireSharedStore(IServiceProvider provider)
    {
        if (provider.GetRequiredService<Revocation.IRevocationStore>() is Revocation.InMemoryRevocationStore)
            throw new InvalidOperationException("this broker has no shared store (revocations and results need a shared one: set Celeriac__Store__Type=redis and Celeriac__Store__Redis__ConnectionString)");
    }

    private static Command ResultCommand(Func<ParseResult, ServiceProvider> services, TextWriter output, TextWriter error)
    {
        var id = new Argument<string>("id") { Description = "Task id" };
        var wait = new Option<TimeSpan>("--wait") { Description = "Wait up to this long for the result (default: do not wait)", DefaultValueFactory = _ => TimeSpan.Zero };
        var command = new Command("result", "Print a task's stored result (JSON) or failure; exit 1 when there is none (yet).") { id, wait };
        command.SetAction(Guard(error, async (result, cancellationToken) =>
        {
            await using var provider = services(result);
            var taskId = result.GetValue(id)!;
            var stored = await provider.GetRequiredService<TaskControl>().Handle(taskId).WaitAsync(result.GetValue(wait), cancellationToken);
            if (stored is null)
            {
                error.WriteLine($"No result for {taskId}.");
                return 1;
            }
            if (stored.Succeeded) output.WriteLine(stored.ResultJson ?? "null");
            else output.WriteLine($"failed: {stored.ExceptionType}: {stored.ExceptionMessage}");
            return stored.Succeeded ? 0 : 3;
        }));
        return command;
    }

    /// <summary>User errors (bad JSON, unknown broker, a bad setting, unreadable file) print one line and exit 2; the rest is a bug and propagates.</summary>
    internal static Func<ParseResult, CancellationToken, Task<int>> Guard(TextWriter error, Func<ParseResult, CancellationToken, Task<int>> action) =>
        async (result, cancellationToken) =>
        {
            try
            {
                return await action(result, cancellationToken);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException
                or Microsoft.Extensions.Options.OptionsValidationException)
            {
                error.WriteLine("error: " + ex.Message);
                return 2;
            }
        };

    /// <summary>Task name and id when the body is an envelope, else the first bytes.</summary>
    internal static string Describe(ReadOnlyMemory<byte> body)
    {
        try
        {
            var envelope = Envelope.EnvelopeSerializer.Deserialize(body.Span);
            return $"{envelope.Task} {envelope.Id} attempt {envelope.Attempt}";
        }
        catch (Envelope.InvalidEnvelopeException)
        {
            var text = Encoding.UTF8.GetString(body.Span[..Math.Min(body.Length, 60)]);
            return "raw: " + text.ReplaceLineEndings(" ");
        }
    }
}
