using Celeriac.Hosting;
using Celeriac.Scheduling;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace Celeriac.EndToEnd.Tests;

/// <summary>How the worker host reads <c>Celeriac:Schedules</c>.</summary>
public sealed class LocalScheduleConfigurationTests
{
    private static IReadOnlyList<ScheduleDefinition> Read(Dictionary<string, string?> settings) =>
        LocalScheduleConfiguration.Read(new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection("Celeriac"));

    [Fact]
    public void A_cron_schedule_with_args_as_a_section_and_an_interval_schedule_with_args_as_json()
    {
        var schedules = Read(new()
        {
            ["Celeriac:Schedules:nightly:Task"] = "reports.build",
            ["Celeriac:Schedules:nightly:Cron"] = "0 2 * * *",
            ["Celeriac:Schedules:nightly:TimeZone"] = "Europe/Berlin",
            ["Celeriac:Schedules:nightly:Queue"] = "bulk",
            ["Celeriac:Schedules:nightly:Args:format"] = "pdf",
            ["Celeriac:Schedules:nightly:Args:copies"] = "2",
            ["Celeriac:Schedules:nightly:Args:draft"] = "false",
            ["Celeriac:Schedules:nightly:MissedRunPolicy"] = "RunOnce",
            ["Celeriac:Schedules:nightly:StartingDeadline"] = "00:30:00",
            ["Celeriac:Schedules:tick:Task"] = "demo.noop",
            ["Celeriac:Schedules:tick:Interval"] = "00:00:30",
            ["Celeriac:Schedules:tick:Args"] = """{"n": 1, "tags": ["a"]}""",
            ["Celeriac:Schedules:tick:Expires"] = "00:00:25",
            ["Celeriac:Schedules:tick:Suspend"] = "true",
        });

        var nightly = schedules.Single(s => s.Name == "nightly");
        Assert.Equal("reports.build", nightly.Task);
        Assert.Equal("bulk", nightly.Queue);
        Assert.Equal(MissedRunPolicy.RunOnce, nightly.MissedRunPolicy);
        Assert.Equal(TimeSpan.FromMinutes(30), nightly.StartingDeadline);
        Assert.Equal("""{"copies":2,"draft":false,"format":"pdf"}""", nightly.Args!.ToJsonString());
        // 02:00 in Berlin in winter is 01:00Z.
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 1, 0, 0, TimeSpan.Zero), nightly.Recurrence.Next(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero)));

        var tick = schedules.Single(s => s.Name == "tick");
        Assert.True(tick.Suspend);
        Assert.Equal(TimeSpan.FromSeconds(25), tick.Expires);
        Assert.Equal("""{"n":1,"tags":["a"]}""", tick.Args!.ToJsonString());
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 30, TimeSpan.Zero), tick.Recurrence.Next(new DateTimeOffset(2026, 1, 1, 0, 0, 10, TimeSpan.Zero)));
        Assert.Equal(MissedRunPolicy.Skip, tick.MissedRunPolicy);
    }

    [Theory]
    [InlineData("Cron", "61 * * * *", "Celeriac:Schedules:bad: minute field")]
    [InlineData("Interval", "soon", "Interval 'soon' is not a positive TimeSpan")]
    [InlineData("MissedRunPolicy", "Always", "MissedRunPolicy 'Always' must be Skip or RunOnce")]
    [InlineData("Args", "[1, 2]", "Args must be a JSON object")]
    [InlineData("TimeZone", "Mars/Olympus", "time zone 'Mars/Olympus' is not known")]
    public void Invalid_schedules_fail_with_their_name_and_reason(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Celeriac:Schedules:bad:Task"] = "demo.noop",
            [$"Celeriac:Schedules:bad:{key}"] = value,
        };
        if (key != "Cron" && key != "Interval") settings["Celeriac:Schedules:bad:Cron"] = "* * * * *";
        if (key == "Interval") settings.Remove("Celeriac:Schedules:bad:Cron");
        var error = Assert.Throws<FormatException>(() => Read(settings));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_schedules_is_an_empty_list() => Assert.Empty(Read([]));
}
