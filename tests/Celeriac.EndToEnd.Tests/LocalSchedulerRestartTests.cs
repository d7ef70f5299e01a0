using System.Globalization;
using Celeriac.Brokers;
using Celeriac.Envelope;
using Celeriac.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Celeriac.EndToEnd.Tests;

/// <summary>
/// The worker host's scheduler, composed as the worker host composes it, on one SQLite file: a host that stops and
/// another that starts continue from the state in the store, neither skipping nor repeating a slot.
/// </summary>
public sealed class LocalSchedulerRestartTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("celeriac-local-scheduler-").FullName;

    private string DatabasePath => Path.Combine(_directory, "celeriac.db");

    private IHost Build()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Celeriac:Broker:Sqlite:Path"] = DatabasePath,
            ["Celeriac:Schedules:tick:Task"] = "demo.noop",
            ["Celeriac:Schedules:tick:Interval"] = "00:00:02",
            ["Celeriac:Schedules:tick:Queue"] = "default",
            ["Celeriac:Scheduler:PollPeriod"] = "00:00:00.100",
        });
        builder.Services.AddCeleriac(builder.Configuration, c => c.UseBrokerFromConfiguration());
        builder.Services.AddCeleriacSchedules(builder.Configuration);
        return builder.Build();
    }

    private static DateTimeOffset Slot(TaskEnvelope envelope) =>
        DateTimeOffset.Parse(envelope.GetHeader("celeriac-schedule-slot")!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);

    [Fact]
    public async Task A_stopped_scheduler_and_the_next_one_continue_from_the_store_without_skipping_or_repeating()
    {
        var first = Build();
        await first.StartAsync();
        Assert.True(await Eventually.Reached(async () => (await first.Services.GetRequiredService<IBroker>().GetDepthAsync("default", CancellationToken.None)).Total >= 2, TimeSpan.FromSeconds(30)));
        await first.StopAsync();
        first.Dispose();

        using var second = Build();
        await second.StartAsync();
        var broker = second.Services.GetRequiredService<IBroker>();
        Assert.True(await Eventually.Reached(async () => (await broker.GetDepthAsync("default", CancellationToken.None)).Total >= 4, TimeSpan.FromSeconds(30)));
        await second.StopAsync();

        var messages = await broker.ReceiveAsync(["default"], 100, TimeSpan.FromMinutes(1), TimeSpan.Zero, CancellationToken.None);
        var runs = messages.Select(m => EnvelopeSerializer.Deserialize(m.Body.Span)).ToList();
        var slots = runs.Select(Slot).Order().ToList();
        Assert.Equal(runs.Count, runs.Select(r => r.Id).Distinct().Count());
        for (var i = 1; i < slots.Count; i++) Assert.Equal(TimeSpan.FromSeconds(2), slots[i] - slots[i - 1]);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
