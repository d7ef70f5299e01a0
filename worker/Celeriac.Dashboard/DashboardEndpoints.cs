using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Celeriac.Brokers;
using Celeriac.Client;
using Celeriac.Control;
using Celeriac.Envelope;
using Celeriac.Hosting;
using Celeriac.Registry;
using Celeriac.Results;
using Celeriac.Revocation;
using Celeriac.TaskIndex;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using HttpResults = Microsoft.AspNetCore.Http.Results;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Celeriac.Dashboard;

/// <summary>
/// The dashboard's page and its JSON API. Every read is bounded (a page of the index, at most
/// <see cref="MaxDeadLetters"/> dead letters, the registry's live entries, one depth read per queue); every action goes
/// through <see cref="DashboardActionFilter"/>.
/// </summary>
public static class DashboardEndpoints
{
    public const int MaxDeadLetters = 200;
    private const int DeadLetterCountLimit = 1000;
    private static readonly TimeSpan ActivityWindow = TimeSpan.FromMinutes(15);

    /// <summary>The API's JSON: web defaults, states by name, whatever the host application configured for its own endpoints.</summary>
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() }, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private static IResult Json(object? value, int? statusCode = null) => HttpResults.Json(value, JsonOptions, statusCode: statusCode);

    public static IEndpointRouteBuilder MapCeleriacDashboard(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/", () => Asset("index.html", "text/html; charset=utf-8"));
        endpoints.MapGet("/app.js", () => Asset("app.js", "text/javascript; charset=utf-8"));
        endpoints.MapGet("/app.css", () => Asset("app.css", "text/css; charset=utf-8"));

        var api = endpoints.MapGroup("/api");
        api.MapGet("/config", (IOptions<DashboardOptions> o) => new { readOnly = o.Value.ReadOnly, refreshMs = (int)o.Value.RefreshInterval.TotalMilliseconds });
        api.MapGet("/overview", OverviewAsync);
        api.MapGet("/workers", WorkersAsync);
        api.MapGet("/tasks", SearchTasksAsync);
        api.MapGet("/tasks/{id}", TaskAsync);
        api.MapGet("/dead-letters", DeadLettersAsync);
        api.MapGet("/revocations", RevocationsAsync);
        api.MapGet("/schedules", SchedulesAsync);
        api.MapGet("/taskqueues", TaskQueuesAsync);

        var actions = api.MapGroup("/actions").AddEndpointFilter<DashboardActionFilter>();
        actions.MapPost("/check", () => HttpResults.Ok(new { ok = true }));
        actions.MapPost("/dead-letters/replay", ReplayAsync);
        actions.MapPost("/dead-letters/delete", DeleteAsync);
        actions.MapPost("/revoke", RevokeAsync);
        actions.MapPost("/control", ControlAsync);
        return endpoints;
    }

    private static IResult Asset(string name, string contentType)
    {
        var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream("wwwroot/" + name);
        return stream is null ? HttpResults.NotFound() : HttpResults.Stream(stream, contentType);
    }

    private static async Task<IResult> OverviewAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var broker = services.GetRequiredService<IBroker>();
        var admin = services.GetRequiredService<IBrokerAdmin>();
        var dead = await admin.ListDeadLettersAsync(null, DeadLetterCountLimit + 1, cancellationToken);
        var deadByQueue = dead.GroupBy(d => d.Queue).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var queues = new List<object>();
        foreach (var queue in (await admin.ListQueuesAsync(cancellationToken)).Concat(deadByQueue.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var depth = await broker.GetDepthAsync(queue, cancellationToken);
            queues.Add(new { name = queue, ready = depth.Ready, inFlight = depth.InFlight, delayed = depth.Delayed, dead = deadByQueue.GetValueOrDefault(queue) });
        }
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var shared = IsShared(services);
        var activity = shared ? await services.GetRequiredService<ITaskIndex>().GetActivityAsync(now - ActivityWindow, cancellationToken) : [];
        var minutes = ActivityWindow.TotalMinutes;
        var tasks = activity.GroupBy(a => a.TaskName).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            long Count(params TaskState[] states) => g.Where(a => states.Contains(a.State)).Sum(a => a.Count);
            var ended = Count(TaskState.Succeeded, TaskState.Failed, TaskState.DeadLettered, TaskState.Revoked, TaskState.Expired);
            var failed = Count(TaskState.Failed, TaskState.DeadLettered);
            return new
            {
                name = g.Key,
                enqueued = Count(TaskState.Queued),
                succeeded = Count(TaskState.Succeeded),
                failed,
                retried = Count(TaskState.Retried),
                perMinute = Math.Round(ended / minutes, 2),
                failureRate = ended == 0 ? 0 : Math.Round((double)failed / ended, 4),
            };
        });
        return Json(new
        {
            queues,
            deadLettersCapped = dead.Count > DeadLetterCountLimit,
            windowMinutes = minutes,
            tasks,
            sharedStore = shared,
        });
    }

    private static async Task<IResult> WorkersAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        if (!IsShared(services)) return Json(new { sharedStore = false, workers = Array.Empty<object>() });
        var lostAfter = services.GetRequiredService<IOptions<RegistryOptions>>().Value.LostAfter;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var workers = await services.GetRequiredService<IWorkerRegistry>().ListAsync(cancellationToken);
        return Json(new
        {
            sharedStore = true,
            now,
            workers = workers.OrderBy(w => w.StartedAt).Select(w => new { status = w.StatusAt(now, lostAfter).ToString().ToLowerInvariant(), worker = w }),
        });
    }

    private static async Task<IResult> SearchTasksAsync(IServiceProvider services, string? name, string? state, DateTimeOffset? until, int? limit, CancellationToken cancellationToken)
    {
        if (!IsShared(services)) return Json(new { sharedStore = false, tasks = Array.Empty<object>() });
        TaskState? parsed = null;
        if (!string.IsNullOrEmpty(state))
        {
            if (!Enum.TryParse<TaskState>(state, ignoreCase: true, out var s)) return HttpResults.BadRequest(new { error = $"unknown state '{state}'" });
            parsed = s;
        }
        var query = new TaskQuery { TaskName = string.IsNullOrWhiteSpace(name) ? null : name.Trim(), State = parsed, Until = until, Limit = limit ?? 50 };
        var tasks = await services.GetRequiredService<ITaskIndex>().SearchAsync(query, cancellationToken);
        return Json(new { sharedStore = true, tasks, next = tasks.Count == query.EffectiveLimit ? tasks[^1].UpdatedAt : (DateTimeOffset?)null });
    }

    private static async Task<IResult> TaskAsync(IServiceProvider services, string id, CancellationToken cancellationToken)
    {
        var record = IsShared(services) ? await services.GetRequiredService<ITaskIndex>().GetAsync(id, cancellationToken) : null;
        var result = await services.GetRequiredService<IResultStore>().GetAsync(id, cancellationToken);
        return record is null && result is null ? HttpResults.NotFound(new { error = $"task {id} is not in the index and has no result" }) : Json(new { record, result });
    }

    private static async Task<IResult> DeadLettersAsync(IServiceProvider services, string? queue, int? limit, CancellationToken cancellationToken)
    {
        var take = Math.Clamp(limit ?? 100, 1, MaxDeadLetters);
        var letters = await services.GetRequiredService<IBrokerAdmin>().ListDeadLettersAsync(string.IsNullOrWhiteSpace(queue) ? null : queue, take, cancellationToken);
        var masked = MaskedTasks(services);
        return Json(letters.Select(d => Describe(d, masked)));
    }

    private static object Describe(DeadLetter letter, IReadOnlySet<string> masked)
    {
        try
        {
            var e = EnvelopeSerializer.Deserialize(letter.Body.Span);
            var args = masked.Contains(e.Task) ? "(masked)" : e.Args.GetRawText();
            if (args.Length > 2000) args = args[..2000] + "…";
            return new { id = letter.Id, queue = letter.Queue, reason = letter.Reason, at = letter.DeadLetteredAt, taskId = e.Id, task = e.Task, attempt = e.Attempt, args };
        }
        catch (InvalidEnvelopeException)
        {
            return new { id = letter.Id, queue = letter.Queue, reason = letter.Reason, at = letter.DeadLetteredAt, taskId = (string?)null, task = (string?)null, attempt = 0, args = "(not an envelope)" };
        }
    }

    /// <summary>Task names whose args are masked (the tasks registered in this process).</summary>
    private static HashSet<string> MaskedTasks(IServiceProvider services) =>
        services.GetRequiredService<Tasks.TaskRegistry>().All.Where(t => t.Options.MaskArgs).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);

    private static async Task<IResult> RevocationsAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var store = services.GetRequiredService<IRevocationStore>();
        if (store is InMemoryRevocationStore) return Json(new { sharedStore = false, ids = Array.Empty<string>(), names = Array.Empty<object>() });
        var ids = await store.GetRevokedAsync(cancellationToken);
        var names = await store.GetRevokedTaskNamesAsync(cancellationToken);
        return Json(new
        {
            sharedStore = true,
            ids = ids.Order(StringComparer.Ordinal).Take(500),
            idCount = ids.Count,
            names = names.OrderBy(n => n.Key, StringComparer.Ordinal).Select(n => new { name = n.Key, until = n.Value }),
        });
    }

    private static async Task<IResult> SchedulesAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var configuration = services.GetService<IConfiguration>()?.GetSection("Celeriac");
        var definitions = configuration is null ? [] : LocalScheduleConfiguration.Read(configuration);
        var store = services.GetRequiredService<IResultStore>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var schedules = new List<object>();
        foreach (var d in definitions)
        {
            var state = await LocalScheduler.ReadStateAsync(store, d.Name, cancellationToken);
            schedules.Add(new
            {
                name = d.Name,
                task = d.Task,
                queue = d.Queue,
                when = d.Recurrence.ToString(),
                lastRun = state.LastScheduleTime,
                lastTaskId = state.LastTaskId,
                nextRun = state.NextScheduleTime,
                missed = state.NextScheduleTime is { } next && now - next > TimeSpan.FromMinutes(1),
            });
        }
        return Json(schedules);
    }

    private static async Task<IResult> TaskQueuesAsync(ClusterTaskQueues cluster, CancellationToken cancellationToken)
    {
        var (items, problem) = await cluster.ListAsync(cancellationToken);
        if (items is null) return Json(new { available = false, message = problem });
        return Json(new
        {
            available = true,
            items = items.Select(q => new
            {
                ns = q?["metadata"]?["namespace"]?.ToString(),
                name = q?["metadata"]?["name"]?.ToString(),
                conditions = q?["status"]?["conditions"],
                pools = q?["status"]?["pools"],
                schedules = q?["status"]?["schedules"],
            }),
        });
    }

    public sealed record IdsRequest(IReadOnlyList<string>? Ids);

    public sealed record RevokeRequest(string? TaskId, string? TaskName);

    public sealed record ControlRequest(string Action, string? Task, string? Queue, string? Value);

    private static async Task<IResult> ReplayAsync(IdsRequest request, DeadLetterReplayer replayer, CancellationToken cancellationToken)
    {
        if (request.Ids is not { Count: > 0 } ids) return HttpResults.BadRequest(new { error = "no dead-letter ids" });
        return Json(new { replayed = await replayer.ReplayAsync(null, ids, ids.Count, cancellationToken) });
    }

    private static async Task<IResult> DeleteAsync(IdsRequest request, IBrokerAdmin admin, CancellationToken cancellationToken)
    {
        if (request.Ids is not { Count: > 0 } ids) return HttpResults.BadRequest(new { error = "no dead-letter ids" });
        return Json(new { deleted = await admin.DeleteDeadLettersAsync(ids, cancellationToken) });
    }

    private static async Task<IResult> RevokeAsync(RevokeRequest request, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.TaskId) == string.IsNullOrWhiteSpace(request.TaskName))
            return HttpResults.BadRequest(new { error = "give either a task id or a task name" });
        if (services.GetRequiredService<IRevocationStore>() is InMemoryRevocationStore)
            return Json(new { error = "no shared store: a revocation here would reach no worker" }, statusCode: StatusCodes.Status409Conflict);
        var control = services.GetRequiredService<TaskControl>();
        if (request.TaskId is { } id && !string.IsNullOrWhiteSpace(id)) await control.RevokeAsync(id.Trim(), null, cancellationToken);
        else await control.RevokeTaskNameAsync(request.TaskName!.Trim(), null, cancellationToken);
        return Json(new { revoked = request.TaskId ?? request.TaskName });
    }

    private static async Task<IResult> ControlAsync(ControlRequest request, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (!IsShared(services)) return Json(new { error = "no shared store: control would reach no worker" }, statusCode: StatusCodes.Status409Conflict);
        var client = services.GetRequiredService<ControlClient>();
        try
        {
            var version = request.Action switch
            {
                "rate-limit" => await client.SetRateLimitAsync(request.Task ?? "", string.IsNullOrWhiteSpace(request.Value) ? null : request.Value, cancellationToken),
                "pause" => await client.PauseAsync(request.Queue ?? "", cancellationToken),
                "resume" => await client.ResumeAsync(request.Queue ?? "", cancellationToken),
                _ => throw new ArgumentException($"unknown control action '{request.Action}' (rate-limit, pause, resume)"),
            };
            var ack = await client.WaitForAcknowledgementsAsync(version, TimeSpan.FromSeconds(10), cancellationToken: cancellationToken);
            return Json(new { version, complete = ack.Complete, message = ack.Describe() });
        }
        catch (ArgumentException e)
        {
            return HttpResults.BadRequest(new { error = e.Message });
        }
    }

    /// <summary>Whether registry, index and control are in a store the workers share (else they would show this process only).</summary>
    private static bool IsShared(IServiceProvider services) => services.GetRequiredService<IWorkerRegistry>() is not InMemoryWorkerRegistry;
}
