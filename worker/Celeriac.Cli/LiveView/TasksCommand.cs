using System.CommandLine;
using System.Globalization;
using Celeriac.TaskIndex;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Cli.LiveView;

/// <summary><c>celeriac tasks</c>: a search of the recent-tasks index, newest first; and the one-line description of a record that <c>celeriac result</c> prints too.</summary>
public static class TasksCommand
{
    public static Command Create(CliServices services, TextWriter output, TextWriter error)
    {
        var name = new Option<string?>("--name") { Description = "Only tasks of this name" };
        var state = new Option<TaskState?>("--state") { Description = "Only tasks in this state (Queued, Started, Succeeded, Retried, Failed, DeadLettered, Revoked, Expired)" };
        var since = new Option<TimeSpan?>("--since") { Description = "Only tasks updated within this long, e.g. 00:10:00" };
        var limit = new Option<int>("--limit") { Description = $"At most this many (1 to {TaskQuery.MaxLimit})", DefaultValueFactory = _ => 50 };
        var command = new Command("tasks", "Recent tasks from the index, newest first: state, attempt, worker, duration, progress, exception.") { name, state, since, limit };
        command.SetAction(CliApp.Guard(services, error, async (result, cancellationToken) =>
        {
            await using var provider = services.Build(result);
            var index = Index(provider);
            var now = provider.GetRequiredService<TimeProvider>().GetUtcNow();
            var query = new TaskQuery
            {
                TaskName = result.GetValue(name),
                State = result.GetValue(state),
                Since = result.GetValue(since) is { } s ? now - s : null,
                Limit = result.GetValue(limit),
            };
            var records = await index.SearchAsync(query, cancellationToken);
            output.WriteLine($"{"TASK ID",-36} {"TASK",-24} {"STATE",-12} {"ATTEMPT",7} {"UPDATED",-20} {"DURATION",9} DETAIL");
            foreach (var r in records)
                output.WriteLine($"{r.TaskId,-36} {r.TaskName ?? "?",-24} {r.State,-12} {r.Attempt,7} {r.UpdatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z {Duration(r),9} {Detail(r)}");
            output.WriteLine($"{records.Count} tasks");
            return 0;
        }));
        return command;
    }

    /// <summary>The index, when it is in a shared store (else empty in this process).</summary>
    public static ITaskIndex Index(IServiceProvider provider)
    {
        LiveViewServices.Registry(provider);
        return provider.GetRequiredService<ITaskIndex>();
    }

    /// <summary>One line: state, attempt, worker, progress and exception, as the index last heard.</summary>
    public static string Describe(TaskRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var parts = new List<string> { $"{r.TaskName ?? "?"} {r.State.ToString().ToLowerInvariant()}", $"attempt {r.Attempt}" };
        if (r.Worker is not null) parts.Add("on " + r.Worker);
        if (r.DurationMs is { } ms) parts.Add(string.Create(CultureInfo.InvariantCulture, $"took {ms:0.#} ms"));
        if (Progress(r) is { } progress) parts.Add("progress " + progress);
        if (r.ExceptionType is not null) parts.Add($"{r.ExceptionType}: {r.ExceptionMessage}");
        return string.Join(", ", parts);
    }

    /// <summary><c>40%</c>, or <c>40% page 40 of 100</c>.</summary>
    public static string? Progress(TaskRecord r) =>
        r.Progress is { } p ? string.Create(CultureInfo.InvariantCulture, $"{p * 100:0.#}%") + (r.ProgressMessage is { } m ? " " + m : "") : null;

    private static string Duration(TaskRecord r) => r.DurationMs is { } ms ? string.Create(CultureInfo.InvariantCulture, $"{ms:0.#}ms") : "-";

    private static string Detail(TaskRecord r) =>
        r.ExceptionType is not null ? $"{r.ExceptionType}: {r.ExceptionMessage}" : Progress(r) is { } p ? "progress " + p : r.Worker ?? "";
}
