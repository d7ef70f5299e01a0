using System.Globalization;
using Celeriac.Scheduling;

namespace Celeriac.Tests.Scheduling;

public sealed class SchedulePlannerTests
{
    private static readonly Recurrence EveryFive = ScheduleDefinition.ParseRecurrence("*/5 * * * *", null, null);

    private static DateTimeOffset T(string hhmmss) =>
        DateTimeOffset.Parse("2026-01-01T" + hhmmss + "Z", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);

    private static ScheduleState Cursor(string next) => new(null, null, T(next));

    [Fact]
    public void Interval_slots_are_whole_multiples_since_the_epoch()
    {
        var every = Recurrence.Every(TimeSpan.FromMinutes(10));
        Assert.Equal(T("00:10:00"), every.Next(T("00:07:00")));
        Assert.Equal(T("00:20:00"), every.Next(T("00:10:00")));
        // 2026-01-01T00:00Z is 1767225600 s after the epoch, a multiple of 7.
        Assert.Equal(T("00:00:07"), Recurrence.Every(TimeSpan.FromSeconds(7)).Next(T("00:00:00")));
    }

    [Fact]
    public void A_schedule_seen_for_the_first_time_runs_nothing_and_points_at_the_next_slot()
    {
        var decision = SchedulePlanner.Plan(EveryFive, MissedRunPolicy.RunOnce, null, new ScheduleState(null, null, null), T("10:02:00"));
        Assert.Equal(new ScheduleDecision(null, 0, T("10:05:00")), decision);
    }

    [Fact]
    public void Nothing_is_due_before_the_next_slot() =>
        Assert.Equal(new ScheduleDecision(null, 0, T("10:05:00")), SchedulePlanner.Plan(EveryFive, MissedRunPolicy.Skip, null, Cursor("10:05:00"), T("10:04:59")));

    [Fact]
    public void A_due_slot_handled_on_time_runs()
    {
        var decision = SchedulePlanner.Plan(EveryFive, MissedRunPolicy.Skip, null, Cursor("10:05:00"), T("10:05:20"));
        Assert.Equal(new ScheduleDecision(T("10:05:00"), 0, T("10:10:00")), decision);
    }

    [Fact]
    public void The_cursor_can_come_from_the_last_run_alone()
    {
        var decision = SchedulePlanner.Plan(EveryFive, MissedRunPolicy.Skip, null, new ScheduleState(T("10:00:00"), "id", null), T("10:05:20"));
        Assert.Equal(T("10:05:00"), decision.RunSlot);
    }

    [Fact]
    public void Skip_drops_every_slot_missed_during_downtime()
    {
        // Down from 10:00 to 10:32: seven slots (10:00 .. 10:30) passed, the latest two minutes ago.
        var decision = SchedulePlanner.Plan(EveryFive, MissedRunPolicy.Skip, null, Cursor("10:00:00"), T("10:32:00"));
        Assert.Equal(new ScheduleDecision(null, 7, T("10:35:00")), decision);
    }

    [Fact]
    public void Skip_still_runs_the_latest_slot_when_it_is_within_the_on_time_tolerance()
    {
        var decision = SchedulePlanner.Plan(EveryFive, MissedRunPolicy.Skip, null, Cursor("10:00:00"), T("10:30:40"));
        Assert.Equal(new ScheduleDecision(T("10:30:00"), 6, T("10:35:00")), decision);
    }

    [Fact]
    public void RunOnce_runs_one_catch_up_at_the_latest_missed_slot()
    {
        var decision = SchedulePlanner.Plan(EveryFive, MissedRunPolicy.RunOnce, null, Cursor("10:00:00"), T("10:32:00"));
        Assert.Equal(new ScheduleDecision(T("10:30:00"), 6, T("10:35:00")), decision);
    }

    [Fact]
    public void RunOnce_respects_the_starting_deadline()
    {
        Assert.Null(SchedulePlanner.Plan(EveryFive, MissedRunPolicy.RunOnce, TimeSpan.FromMinutes(1), Cursor("10:00:00"), T("10:32:00")).RunSlot);
        Assert.Equal(T("10:30:00"), SchedulePlanner.Plan(EveryFive, MissedRunPolicy.RunOnce, TimeSpan.FromMinutes(3), Cursor("10:00:00"), T("10:32:00")).RunSlot);
    }

    [Fact]
    public void A_long_downtime_of_a_frequent_schedule_is_planned_quickly()
    {
        var minutely = ScheduleDefinition.ParseRecurrence("* * * * *", null, null);
        var decision = SchedulePlanner.Plan(minutely, MissedRunPolicy.RunOnce, null, Cursor("00:00:00"), T("00:00:00").AddDays(400).AddSeconds(30));
        Assert.Equal(T("00:00:00").AddDays(400), decision.RunSlot);
        Assert.True(decision.Missed > 0);
    }

    [Fact]
    public void Planning_again_from_the_recorded_state_neither_repeats_nor_skips()
    {
        var state = Cursor("10:00:00");
        var runs = new List<DateTimeOffset>();
        // Passes every 40 seconds for an hour, each recording what it decided, as the status does.
        for (var now = T("10:00:00"); now < T("11:00:00"); now = now.AddSeconds(40))
        {
            for (var repeat = 0; repeat < 2; repeat++)
            {
                var decision = SchedulePlanner.Plan(EveryFive, MissedRunPolicy.Skip, null, state, now);
                if (decision.RunSlot is { } slot)
                {
                    runs.Add(slot);
                    state = new ScheduleState(slot, "id", decision.Next);
                }
                else
                {
                    state = state with { NextScheduleTime = decision.Next };
                }
            }
        }
        Assert.Equal(Enumerable.Range(0, 12).Select(i => T("10:00:00").AddMinutes(5 * i)), runs);
    }

    [Fact]
    public void Task_ids_are_the_same_for_the_same_run_and_differ_otherwise()
    {
        var a = ScheduleTaskId.For("uid-1", "nightly", T("02:00:00"));
        Assert.Equal(a, ScheduleTaskId.For("uid-1", "nightly", T("02:00:00")));
        Assert.NotEqual(a, ScheduleTaskId.For("uid-2", "nightly", T("02:00:00")));
        Assert.NotEqual(a, ScheduleTaskId.For("uid-1", "hourly", T("02:00:00")));
        Assert.NotEqual(a, ScheduleTaskId.For("uid-1", "nightly", T("02:05:00")));
        Assert.True(Guid.TryParse(a, out _));
    }
}
