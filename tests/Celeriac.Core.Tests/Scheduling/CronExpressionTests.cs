using System.Globalization;
using Celeriac.Scheduling;

namespace Celeriac.Tests.Scheduling;

public sealed class CronExpressionTests
{
    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static DateTimeOffset? Next(string expression, string after, string zone = "UTC") =>
        CronExpression.Parse(expression).Next(Utc(after), ScheduleDefinition.FindZone(zone));

    // 2026-01-01 is a Thursday.
    [Theory]
    [InlineData("* * * * *", "2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z")]
    [InlineData("* * * * *", "2026-01-01T00:00:30Z", "2026-01-01T00:01:00Z")]
    [InlineData("0 * * * *", "2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z")]
    [InlineData("*/15 * * * *", "2026-01-01T00:07:00Z", "2026-01-01T00:15:00Z")]
    [InlineData("5/15 * * * *", "2026-01-01T00:21:00Z", "2026-01-01T00:35:00Z")]
    [InlineData("0-10/5,50 3 * * *", "2026-01-01T03:05:00Z", "2026-01-01T03:10:00Z")]
    [InlineData("0-10/5,50 3 * * *", "2026-01-01T03:10:00Z", "2026-01-01T03:50:00Z")]
    [InlineData("0 9-17/4 * * *", "2026-01-01T10:00:00Z", "2026-01-01T13:00:00Z")]
    [InlineData("0 2 * * *", "2026-01-01T03:00:00Z", "2026-01-02T02:00:00Z")]
    [InlineData("30 9 * * MON-FRI", "2026-01-02T10:00:00Z", "2026-01-05T09:30:00Z")]
    [InlineData("0 22 * * 1-5", "2026-01-02T23:00:00Z", "2026-01-05T22:00:00Z")]
    [InlineData("0 0 * * sat,sun", "2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z")]
    [InlineData("0 12 * * 0", "2026-01-01T00:00:00Z", "2026-01-04T12:00:00Z")]
    [InlineData("0 12 * * 7", "2026-01-01T00:00:00Z", "2026-01-04T12:00:00Z")]
    [InlineData("0 12 * * 5-7", "2026-01-03T13:00:00Z", "2026-01-04T12:00:00Z")]
    [InlineData("0 0 1 * *", "2026-01-15T00:00:00Z", "2026-02-01T00:00:00Z")]
    [InlineData("0 0 1,15 * *", "2026-01-01T00:00:00Z", "2026-01-15T00:00:00Z")]
    [InlineData("0 0 31 * *", "2026-02-01T00:00:00Z", "2026-03-31T00:00:00Z")]
    [InlineData("0 0 29 2 *", "2026-01-01T00:00:00Z", "2028-02-29T00:00:00Z")]
    [InlineData("0 0 * JUN-AUG *", "2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z")]
    [InlineData("0 0 1 jan *", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")]
    [InlineData("59 23 31 12 *", "2026-12-31T23:59:00Z", "2027-12-31T23:59:00Z")]
    // Both day fields restricted: either matches (the 13th, or any Friday).
    [InlineData("0 0 13 * 5", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z")]
    [InlineData("0 0 13 * 5", "2026-01-10T00:00:00Z", "2026-01-13T00:00:00Z")]
    // A day field starting with '*' counts as unrestricted: both must match (odd days that are Fridays).
    [InlineData("0 0 */2 * 5", "2026-01-01T00:00:00Z", "2026-01-09T00:00:00Z")]
    [InlineData("0 0 1 * *", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z")]
    [InlineData("@yearly", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")]
    [InlineData("@annually", "2026-03-01T00:00:00Z", "2027-01-01T00:00:00Z")]
    [InlineData("@monthly", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z")]
    [InlineData("@weekly", "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z")]
    [InlineData("@daily", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z")]
    [InlineData("@midnight", "2026-01-01T12:00:00Z", "2026-01-02T00:00:00Z")]
    [InlineData("@hourly", "2026-01-01T00:59:59Z", "2026-01-01T01:00:00Z")]
    public void Next_occurrence_in_UTC(string expression, string after, string expected) =>
        Assert.Equal(Utc(expected), Next(expression, after));

    [Theory]
    // Europe/Berlin springs forward on 2026-03-29 at 02:00 CET (01:00Z) to 03:00 CEST.
    // A slot in the gap runs once, at the first instant after it.
    [InlineData("30 2 * * *", "2026-03-28T12:00:00Z", "2026-03-29T01:00:00Z", "Europe/Berlin")]
    [InlineData("30 2 * * *", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z", "Europe/Berlin")]
    [InlineData("*/15 2 * * *", "2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z", "Europe/Berlin")]
    [InlineData("*/15 2 * * *", "2026-03-29T01:00:00Z", "2026-03-30T00:00:00Z", "Europe/Berlin")]
    [InlineData("0 * * * *", "2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z", "Europe/Berlin")]
    [InlineData("0 * * * *", "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z", "Europe/Berlin")]
    [InlineData("0 9 * * *", "2026-03-28T12:00:00Z", "2026-03-29T07:00:00Z", "Europe/Berlin")]
    // Europe/Berlin falls back on 2026-10-25 at 03:00 CEST (01:00Z) to 02:00 CET: 02:00-03:00 happens twice.
    // A slot in the overlap runs once, at its first occurrence.
    [InlineData("30 2 * * *", "2026-10-24T12:00:00Z", "2026-10-25T00:30:00Z", "Europe/Berlin")]
    [InlineData("30 2 * * *", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z", "Europe/Berlin")]
    [InlineData("0 * * * *", "2026-10-24T23:30:00Z", "2026-10-25T00:00:00Z", "Europe/Berlin")]
    [InlineData("0 * * * *", "2026-10-25T00:00:00Z", "2026-10-25T02:00:00Z", "Europe/Berlin")]
    [InlineData("*/20 2 * * *", "2026-10-25T01:10:00Z", "2026-10-26T01:00:00Z", "Europe/Berlin")]
    [InlineData("0 3 * * *", "2026-10-24T12:00:00Z", "2026-10-25T02:00:00Z", "Europe/Berlin")]
    // America/New_York springs forward on 2026-03-08 at 02:00 EST (07:00Z) and falls back on 2026-11-01 at 02:00 EDT (06:00Z).
    [InlineData("30 2 * * *", "2026-03-07T12:00:00Z", "2026-03-08T07:00:00Z", "America/New_York")]
    [InlineData("30 2 * * *", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z", "America/New_York")]
    [InlineData("0 9 * * *", "2026-03-07T15:00:00Z", "2026-03-08T13:00:00Z", "America/New_York")]
    [InlineData("30 1 * * *", "2026-10-31T12:00:00Z", "2026-11-01T05:30:00Z", "America/New_York")]
    [InlineData("30 1 * * *", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z", "America/New_York")]
    [InlineData("30 1 * * *", "2026-11-01T06:00:00Z", "2026-11-02T06:30:00Z", "America/New_York")]
    [InlineData("0 0 * * *", "2026-10-31T12:00:00Z", "2026-11-01T04:00:00Z", "America/New_York")]
    [InlineData("0 0 * * *", "2026-11-01T04:00:00Z", "2026-11-02T05:00:00Z", "America/New_York")]
    public void Next_occurrence_across_daylight_saving_transitions(string expression, string after, string expected, string zone) =>
        Assert.Equal(Utc(expected), Next(expression, after, zone));

    [Fact]
    public void A_day_every_slot_of_an_hourly_schedule_across_both_Berlin_transitions_runs_once_per_wall_clock_hour()
    {
        var cron = CronExpression.Parse("0 * * * *");
        var zone = ScheduleDefinition.FindZone("Europe/Berlin");
        int Runs(string from, string to)
        {
            var count = 0;
            for (var t = Utc(from).AddTicks(-1); cron.Next(t, zone) is { } next && next < Utc(to); t = next) count++;
            return count;
        }
        // The Berlin day of 2026-03-29 has 23 hours, 2026-10-25 has 25; every wall-clock hour runs once:
        // 23 runs (02:00 does not exist and runs with 03:00), and 24 (02:00 runs at its first occurrence only).
        Assert.Equal(23, Runs("2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z"));
        Assert.Equal(24, Runs("2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z"));
    }

    [Fact]
    public void An_impossible_date_never_fires() => Assert.Null(Next("0 0 30 2 *", "2026-01-01T00:00:00Z"));

    [Theory]
    [InlineData("")]
    [InlineData("* * * *")]
    [InlineData("* * * * * *")]
    [InlineData("60 * * * *")]
    [InlineData("* 24 * * *")]
    [InlineData("* * 0 * *")]
    [InlineData("* * 32 * *")]
    [InlineData("* * * 13 *")]
    [InlineData("* * * 0 *")]
    [InlineData("* * * * 8")]
    [InlineData("5-1 * * * *")]
    [InlineData("*/0 * * * *")]
    [InlineData("*/61 * * * *")]
    [InlineData("a * * * *")]
    [InlineData("1,,2 * * * *")]
    [InlineData("-1 * * * *")]
    [InlineData("* * * FOO *")]
    [InlineData("* * * * MON-SUNDAY")]
    [InlineData("@every 5m")]
    [InlineData("@reboot")]
    public void Invalid_expressions_are_rejected_with_a_reason(string expression)
    {
        Assert.False(CronExpression.TryParse(expression, out _, out var error));
        Assert.NotEmpty(error);
        Assert.Throws<FormatException>(() => CronExpression.Parse(expression));
    }

    [Fact]
    public void Unknown_time_zones_are_rejected() =>
        Assert.Throws<FormatException>(() => ScheduleDefinition.ParseRecurrence("0 0 * * *", null, "Mars/Olympus_Mons"));

    [Fact]
    public void Exactly_one_of_cron_and_interval()
    {
        Assert.Throws<FormatException>(() => ScheduleDefinition.ParseRecurrence(null, null, null));
        Assert.Throws<FormatException>(() => ScheduleDefinition.ParseRecurrence("0 0 * * *", TimeSpan.FromMinutes(1), null));
        Assert.Throws<FormatException>(() => ScheduleDefinition.ParseRecurrence(null, TimeSpan.FromMilliseconds(500), null));
    }
}
