using System.CommandLine;
using System.Text.Json;
using Celeriac.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Cli;

/// <summary><c>celeriac enqueue TASK --args JSON</c>: sends a task by name; prints its id, or with --count how many were sent.</summary>
public static class EnqueueCommand
{
    public static Command Create(CliServices services, TextWriter output, TextWriter error)
    {
        var task = new Argument<string>("task") { Description = "Registered task name, e.g. emails.send" };
        var args = new Option<string>("--args") { Description = "Arguments as a JSON object", DefaultValueFactory = _ => "{}" };
        args.Validators.Add(CliValues.JsonObject);
        var queue = new Option<string?>("--queue") { Description = "Queue (default: the task's Celeriac:Tasks:<name>:Queue, else 'default')" };
        var countdown = new Option<double?>("--countdown") { Description = "Seconds to wait before running", CustomParser = CliValues.Seconds("--countdown") };
        var expiresIn = new Option<double?>("--expires-in") { Description = "Discard if not started within these seconds", CustomParser = CliValues.Seconds("--expires-in") };
        var priority = new Option<int?>("--priority") { Description = "Send to the declared queue for this priority", CustomParser = CliValues.Integer("--priority", int.MinValue) };
        var header = new Option<string[]>("--header") { Description = "Header as name=value (repeatable)", AllowMultipleArgumentsPerToken = false };
        header.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => !t.Value.Contains('=', StringComparison.Ordinal)))
                result.AddError($"--header '{token.Value}' must be name=value");
        });
        var count = new Option<int?>("--count") { Description = "Enqueue this many copies in broker batches (load tests, backfills); prints how many (default 1)", CustomParser = CliValues.Integer("--count", 1) };
        var command = new Command("enqueue", "Enqueue a task; prints its id (with --count, how many were enqueued).") { task, args, queue, countdown, expiresIn, priority, header, count };
        command.SetAction(CliApp.Guard(services, error, async (result, cancellationToken) =>
        {
            var json = JsonDocument.Parse(result.GetValue(args)!).RootElement.Clone();
            var headers = (result.GetValue(header) ?? []).Select(h => h.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
            await using var provider = services.Build(result);
            var client = provider.GetRequiredService<ITaskClient>();
            var options = new EnqueueOptions
            {
                Queue = result.GetValue(queue),
                Countdown = result.GetValue(countdown) is { } c ? TimeSpan.FromSeconds(c) : null,
                ExpiresIn = result.GetValue(expiresIn) is { } e ? TimeSpan.FromSeconds(e) : null,
                Priority = result.GetValue(priority),
                Headers = headers.Count > 0 ? headers : null,
            };
            var copies = result.GetValue(count) ?? 1;
            if (copies == 1)
            {
                await output.WriteLineAsync(await client.EnqueueAsync(result.GetValue(task)!, json, options, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                return CliApp.Done;
            }
            var sent = await client.EnqueueManyAsync(result.GetValue(task)!, Repeat(json, copies), options, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"enqueued {sent}").ConfigureAwait(false);
            return CliApp.Done;
        }));
        return command;
    }

    private static async IAsyncEnumerable<JsonElement> Repeat(JsonElement args, int count)
    {
        for (var i = 0; i < count; i++) yield return args;
        await Task.CompletedTask.ConfigureAwait(false);
    }
}
