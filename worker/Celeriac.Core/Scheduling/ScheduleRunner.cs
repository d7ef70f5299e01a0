using System.Text.Json.Nodes;
using Celeriac.Client;
using Celeriac.Locks;

namespace Celeriac.Scheduling;

/// <summary>
/// One pass over one schedule: plan from the remembered state, claim the due run in the store, enqueue it
/// with its deterministic task id, and return the state to remember. The claim (a lock on the run's task id,
/// owned by this scheduler instance) is what recognises a run that an earlier scheduler sent but could not
/// record before it died. The caller records the returned state, then releases the claim (<see cref="ReleaseClaimAsync"/>).
/// </summary>
public static class ScheduleRunner
{
    /// <summary>How long a run's claim is kept: far longer than a pass between enqueue and recording the state.</summary>
    public static readonly TimeSpan ClaimTtl = TimeSpan.FromHours(1);

    public static string ClaimKey(string taskId) => "celeriac:schedule-run:" + taskId;

    /// <summary>Once the run is recorded (status or store), its claim has done its job: drop it rather than leave it to expire.</summary>
    public static async ValueTask ReleaseClaimAsync(ITaskLockStore? claims, ScheduleOutcome outcome, CancellationToken cancellationToken)
    {
        if (claims is not null && outcome is { Enqueued: { } id, Claim: { } claim })
            await claims.ReleaseAsync(ClaimKey(id), claim, cancellationToken).ConfigureAwait(false);
    }

    /// <param name="scope">What owns the schedules (the TaskQueue uid, or "local"); part of every run's task id.</param>
    /// <param name="owner">This scheduler instance (each pass claims with this and a fresh suffix).</param>
    /// <param name="claims">The broker's store; null where the broker has no shared store.</param>
    public static Task<ScheduleOutcome> RunAsync(ScheduleDefinition schedule, ScheduleState state, string scope, string owner,
        ITaskClient client, ITaskLockStore? claims, DateTimeOffset now, CancellationToken cancellationToken) =>
        RunAsync(schedule, state, scope, owner, _ => Task.FromResult((client, claims)), now, cancellationToken);

    /// <param name="connect">The broker's client and store, asked for only when a run is due.</param>
    public static async Task<ScheduleOutcome> RunAsync(ScheduleDefinition schedule, ScheduleState state, string scope, string owner,
        Func<CancellationToken, Task<(ITaskClient Client, ITaskLockStore? Claims)>> connect, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var decision = SchedulePlanner.Plan(schedule.Recurrence, schedule.MissedRunPolicy, schedule.StartingDeadline, state, now);
        if (schedule.Suspend || decision.RunSlot is not { } slot)
        {
            var missed = schedule.Suspend ? decision.Missed + (decision.RunSlot is null ? 0 : 1) : decision.Missed;
            return new ScheduleOutcome(state with { NextScheduleTime = decision.Next }, null, null, false, missed);
        }

        var id = ScheduleTaskId.For(scope, schedule.Name, slot);
        var (client, claims) = await connect(cancellationToken).ConfigureAwait(false);
        // One token per pass: a pass that retries after its state could not be recorded finds the earlier pass's claim.
        var claim = $"{owner}/{Guid.NewGuid():N}";
        if (claims is not null && await claims.AcquireAsync(ClaimKey(id), claim, ClaimTtl, cancellationToken).ConfigureAwait(false) != claim)
            return new ScheduleOutcome(new ScheduleState(slot, id, decision.Next), slot, null, true, decision.Missed);
        try
        {
            await client.EnqueueAsync(schedule.Task, schedule.Args ?? new JsonObject(), new EnqueueOptions
            {
                TaskId = id,
                Queue = schedule.Queue,
                ExpiresIn = schedule.Expires,
                Headers = new Dictionary<string, string>
                {
                    ["celeriac-schedule"] = schedule.Name,
                    ["celeriac-schedule-slot"] = slot.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                },
            }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Not sent: give the run back so that whoever tries next (this instance or another) sends it.
            if (claims is not null) await claims.ReleaseAsync(ClaimKey(id), claim, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        return new ScheduleOutcome(new ScheduleState(slot, id, decision.Next), slot, id, false, decision.Missed, claim);
    }
}
