using System.Globalization;
using System.Text.Json.Nodes;
using Celeriac.Brokers;
using Celeriac.Client;
using Celeriac.Envelope;
using Celeriac.Hosting;
using Celeriac.Scheduling;
using Celeriac.Locks;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Tests.Scheduling;

/// <summary>The runner against a real in-memory broker and store, as the operator and the worker host use it.</summary>
public sealed class ScheduleRunnerTests : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly InMemoryBroker _broker = new();

    public ScheduleRunnerTests()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCeleriac(c => c.UseInMemoryBroker(_broker));
        _services = services.BuildServiceProvider();
    }

    private ITaskClient Client => _services.GetRequiredService<ITaskClient>();
    private ITaskLockStore Store => _services.GetRequiredService<ITaskLockStore>();

    private static DateTimeOffset T(string hhmmss) =>
        DateTimeOffset.Parse("2026-01-01T" + hhmmss + "Z", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);

    private static ScheduleDefinition Schedule(bool suspend = false) => new()
    {
        Name = "report",
        Task = "reports.build",
        Recurrence = ScheduleDefinition.ParseRecurrence("*/5 * * * *", null, null),
        Queue = "low",
        Args = new JsonObject { ["kind"] = "daily" },
        Expires = TimeSpan.FromMinutes(4),
        Suspend = suspend,
    };

    private async Task<List<TaskEnvelope>> ReceivedAsync(string queue)
    {
        var messages = await _broker.ReceiveAsync([queue], 100, TimeSpan.FromMinutes(1), TimeSpan.Zero, CancellationToken.None);
        return [.. messages.Select(m => EnvelopeSerializer.Deserialize(m.Body.Span))];
    }

    [Fact]
    public async Task A_due_run_is_enqueued_with_its_deterministic_id_args_queue_and_expiry()
    {
        var outcome = await ScheduleRunner.RunAsync(Schedule(), new ScheduleState(null, null, T("10:05:00")), "uid-1", "op-a", Client, Store, T("10:05:02"), CancellationToken.None);

        var id = ScheduleTaskId.For("uid-1", "report", T("10:05:00"));
        Assert.Equal(new ScheduleState(T("10:05:00"), id, T("10:10:00")), outcome.State);
        Assert.Equal(id, outcome.Enqueued);
        var envelope = Assert.Single(await ReceivedAsync("low"));
        Assert.Equal(id, envelope.Id);
        Assert.Equal("reports.build", envelope.Task);
        Assert.Equal("daily", envelope.Args.GetProperty("kind").GetString());
        Assert.NotNull(envelope.Expires);
        Assert.Equal("report", envelope.GetHeader("celeriac-schedule"));
    }

    [Fact]
    public async Task A_run_sent_by_a_scheduler_that_died_before_recording_it_is_not_sent_again()
    {
        var before = new ScheduleState(null, null, T("10:05:00"));
        await ScheduleRunner.RunAsync(Schedule(), before, "uid-1", "op-a", Client, Store, T("10:05:02"), CancellationToken.None);
        // op-a died before writing its state: op-b starts from the same state.
        var again = await ScheduleRunner.RunAsync(Schedule(), before, "uid-1", "op-b", Client, Store, T("10:05:09"), CancellationToken.None);

        Assert.True(again.AlreadyEnqueued);
        Assert.Null(again.Enqueued);
        Assert.Equal(T("10:05:00"), again.State.LastScheduleTime);
        Assert.Single(await ReceivedAsync("low"));
    }

    [Fact]
    public async Task The_same_scheduler_retrying_a_pass_whose_state_was_not_recorded_does_not_send_again()
    {
        var before = new ScheduleState(null, null, T("10:05:00"));
        var first = await ScheduleRunner.RunAsync(Schedule(), before, "uid-1", "op-a", Client, Store, T("10:05:02"), CancellationToken.None);
        // Writing first.State failed: the next pass of the same instance starts from the old state.
        var retry = await ScheduleRunner.RunAsync(Schedule(), before, "uid-1", "op-a", Client, Store, T("10:05:04"), CancellationToken.None);
        Assert.True(retry.AlreadyEnqueued);
        Assert.Equal(first.State, retry.State);
        Assert.Single(await ReceivedAsync("low"));
    }

    [Fact]
    public async Task Once_the_state_is_recorded_the_claim_is_released()
    {
        var outcome = await ScheduleRunner.RunAsync(Schedule(), new ScheduleState(null, null, T("10:05:00")), "uid-1", "op-a", Client, Store, T("10:05:02"), CancellationToken.None);
        await ScheduleRunner.ReleaseClaimAsync(Store, outcome, CancellationToken.None);
        Assert.Equal("probe", await Store.AcquireAsync(ScheduleRunner.ClaimKey(outcome.Enqueued!), "probe", TimeSpan.FromSeconds(1), CancellationToken.None));
    }

    [Fact]
    public async Task A_failed_enqueue_gives_the_run_back_for_another_scheduler()
    {
        var before = new ScheduleState(null, null, T("10:05:00"));
        var failing = new ThrowingClient();
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ScheduleRunner.RunAsync(Schedule(), before, "uid-1", "op-a", failing, Store, T("10:05:02"), CancellationToken.None));
        var outcome = await ScheduleRunner.RunAsync(Schedule(), before, "uid-1", "op-b", Client, Store, T("10:05:03"), CancellationToken.None);
        Assert.NotNull(outcome.Enqueued);
        Assert.Single(await ReceivedAsync("low"));
    }

    [Fact]
    public async Task A_suspended_schedule_sends_nothing_and_moves_its_cursor_on()
    {
        var outcome = await ScheduleRunner.RunAsync(Schedule(suspend: true), new ScheduleState(null, null, T("10:05:00")), "uid-1", "op-a", Client, Store, T("10:05:02"), CancellationToken.None);
        Assert.Equal(new ScheduleState(null, null, T("10:10:00")), outcome.State);
        Assert.Equal(1, outcome.Missed);
        Assert.Empty(await ReceivedAsync("low"));
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    private sealed class ThrowingClient : ITaskClient
    {
        public Task<string> EnqueueAsync<TArgs>(TArgs args, EnqueueOptions? options = null, CancellationToken cancellationToken = default) where TArgs : notnull =>
            throw new InvalidOperationException("broker down");

        public Task<string> EnqueueAsync<TTask>(object args, EnqueueOptions? options = null, CancellationToken cancellationToken = default) where TTask : class =>
            throw new InvalidOperationException("broker down");

        public Task<string> EnqueueAsync(string taskName, object args, EnqueueOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("broker down");

        public Task<long> EnqueueManyAsync<TArgs>(IAsyncEnumerable<TArgs> items, EnqueueOptions? options = null, CancellationToken cancellationToken = default) where TArgs : notnull =>
            throw new InvalidOperationException("broker down");

        public Task<long> EnqueueManyAsync<TArgs>(string taskName, IAsyncEnumerable<TArgs> items, EnqueueOptions? options = null, CancellationToken cancellationToken = default) where TArgs : notnull =>
            throw new InvalidOperationException("broker down");
    }
}
