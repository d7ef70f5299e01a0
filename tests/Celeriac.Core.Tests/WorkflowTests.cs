using Celeriac.Client;
using Celeriac.Tests.Infrastructure;
using Celeriac.Workflows;
using Microsoft.Extensions.DependencyInjection;
using Celeriac.Results;
using Celeriac.Revocation;

namespace Celeriac.Tests;

/// <summary>Chains, groups, chords and their nesting, run by a real worker on the in-memory broker and store.</summary>
public sealed class WorkflowTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static Task<TestApp> StartAsync(int concurrency = 4) => Create(concurrency).StartAsync();

    private static TestApp Create(int concurrency = 4) =>
        TestApp.CreateWorker(o => o.Concurrency = concurrency, c => c
            .AddTask<SquareTask>().AddTask<AddOneTask>().AddTask<SumNumbersTask>().AddTask<FailTask>().AddTask<FlakyDoubleTask>().AddTask<PerishableTask>());

    private static WorkflowClient Workflows(TestApp app) => app.Services.GetRequiredService<WorkflowClient>();

    private static int Runs(TestApp app, string prefix) => app.Probe.Started.Count(r => r.Label.StartsWith(prefix, StringComparison.Ordinal));

    [Fact]
    public async Task A_chain_passes_each_result_to_the_next_task()
    {
        await using var app = await StartAsync();
        var handle = await Workflows(app).StartAsync(Workflow.Chain(
            Sig.For<SquareTask>(new Number(3)), Sig.Of<AddOneTask>(), Sig.Of<SquareTask>()));

        Assert.Equal(new Number(100), await handle.GetResultAsync<Number>(Wait));
        Assert.Equal(["square 3", "add-one 9", "square 10"], app.Probe.Started.Select(r => r.Label));
        // Every step carries the workflow: its root, its predecessor and (but the last) the rest of the chain.
        var steps = app.Probe.Started.Select(r => r.Envelope).ToList();
        Assert.All(steps, e => Assert.Equal(handle.TaskId, e.Root));
        Assert.Null(steps[0].Parent);
        Assert.Equal(steps[0].Id, steps[1].Parent);
        Assert.Equal(steps[1].Id, steps[2].Parent);
        Assert.NotNull(steps[0].Chain);
        Assert.Null(steps[2].Chain);
    }

    [Fact]
    public async Task Fixed_args_and_immutable_signatures_ignore_the_previous_result()
    {
        await using var app = await StartAsync();
        var handle = await Workflows(app).StartAsync(Workflow.Chain(
            Sig.For<SquareTask>(new Number(3)), Sig.For<AddOneTask>(new Number(40)), Sig.Named("wf.add-one", new Number(1)).Immutable()));

        Assert.Equal(new Number(2), await handle.GetResultAsync<Number>(Wait));
    }

    [Fact]
    public async Task A_group_result_is_the_list_of_its_members_results_in_order()
    {
        await using var app = await StartAsync(concurrency: 8);
        var handle = await Workflows(app).StartAsync(Workflow.Group(Enumerable.Range(1, 12).Select(i => Sig.For<SquareTask>(new Number(i)))));

        var results = await handle.GetResultAsync<Number[]>(Wait);
        Assert.Equal(Enumerable.Range(1, 12).Select(i => new Number(i * i)), results!);
    }

    [Fact]
    public async Task A_chord_calls_its_callback_once_with_every_members_result()
    {
        await using var app = await StartAsync(concurrency: 8);
        var handle = await Workflows(app).StartAsync(Workflow.Chord(
            Enumerable.Range(1, 30).Select(i => Sig.For<SquareTask>(new Number(i))), Sig.Of<SumNumbersTask>()));

        Assert.Equal(new Number(Enumerable.Range(1, 30).Sum(i => i * i)), await handle.GetResultAsync<Number>(Wait));
        await app.Broker.DrainAsync().WaitAsync(Wait);
        Assert.Equal(1, Runs(app, "sum "));
        Assert.Equal(30, Runs(app, "square "));
    }

    [Fact]
    public async Task Workflows_nest()
    {
        await using var app = await StartAsync(concurrency: 8);
        // 1+1 = 2, then a group of [2², (2+1)², chord of (2+1, 2²) summed = 7], then the sum: 4 + 9 + 7 = 20, plus one.
        var handle = await Workflows(app).StartAsync(Workflow.Chain(
            Sig.For<AddOneTask>(new Number(1)),
            Workflow.Group(
                Sig.Of<SquareTask>(),
                Workflow.Chain(Sig.Of<AddOneTask>(), Sig.Of<SquareTask>()),
                Workflow.Chord(Workflow.Group(Sig.Of<AddOneTask>(), Sig.Of<SquareTask>()), Sig.Of<SumNumbersTask>())),
            Sig.Of<SumNumbersTask>(),
            Sig.Of<AddOneTask>()));

        Assert.Equal(new Number(21), await handle.GetResultAsync<Number>(Wait));
    }

    [Fact]
    public async Task A_failure_stops_the_chain_and_records_where()
    {
        await using var app = await StartAsync();
        var handle = await Workflows(app).StartAsync(Workflow.Chain(
            Sig.For<AddOneTask>(new Number(1)), Sig.Of<FailTask>(), Sig.Of<SquareTask>()));

        var failure = await Assert.ThrowsAsync<TaskFailedException>(() => handle.GetResultAsync<Number>(Wait));
        var failed = Assert.Single(app.Probe.Started, r => r.Task == "wf.fail");
        Assert.Equal(typeof(InvalidOperationException).FullName, failure.ExceptionType);
        Assert.Contains("no good: 2", failure.ExceptionMessage);
        Assert.Contains($"wf.fail {failed.Envelope.Id}", failure.ExceptionMessage);
        var stored = await handle.WaitAsync(Wait);
        Assert.Equal(failed.Envelope.Id, stored!.FailedTaskId);
        await app.Broker.DrainAsync().WaitAsync(Wait);
        Assert.Equal(0, Runs(app, "square "));
    }

    [Fact]
    public async Task A_member_failure_fails_the_chord_without_calling_back()
    {
        await using var app = await StartAsync();
        var handle = await Workflows(app).StartAsync(Workflow.Chord(
            [Sig.For<SquareTask>(new Number(2)), Sig.For<FailTask>(new Number(5))], Sig.Of<SumNumbersTask>()));

        var failure = await Assert.ThrowsAsync<TaskFailedException>(() => handle.GetResultAsync<Number>(Wait));
        Assert.Contains("no good: 5", failure.ExceptionMessage);
        await app.Broker.DrainAsync().WaitAsync(Wait);
        Assert.Equal(0, Runs(app, "sum "));
    }

    [Fact]
    public async Task A_step_moves_the_workflow_on_only_after_its_final_outcome_not_on_a_retry()
    {
        await using var app = await StartAsync();
        var handle = await Workflows(app).StartAsync(Workflow.Chain(Sig.For<FlakyDoubleTask>(new Number(4)), Sig.Of<AddOneTask>()));

        Assert.Equal(new Number(9), await handle.GetResultAsync<Number>(Wait));
        Assert.Equal(2, Runs(app, "flaky "));
        await app.Broker.DrainAsync().WaitAsync(Wait);
        Assert.Equal(["add-one 8"], app.Probe.Started.Where(r => r.Task == "wf.add-one").Select(r => r.Label));
    }

    [Fact]
    public async Task Revoking_a_workflow_discards_its_steps_and_fails_it_as_revoked()
    {
        await using var app = Create();
        var handle = await Workflows(app).StartAsync(Workflow.Chain(Sig.For<SquareTask>(new Number(3)), Sig.Of<AddOneTask>()));
        await app.Services.GetRequiredService<TaskControl>().RevokeAsync(handle.TaskId);
        await app.StartAsync();

        var revoked = await Assert.ThrowsAsync<TaskRevokedException>(() => handle.GetResultAsync<Number>(Wait));
        Assert.Equal(handle.TaskId, revoked.TaskId);
        Assert.Empty(app.Probe.Started);
        Assert.Contains(app.Observer.Finished, f => f.Outcome == Pipeline.TaskOutcome.Revoked);
    }

    [Fact]
    public async Task A_step_that_expires_before_it_runs_fails_the_workflow()
    {
        await using var app = Create();
        var handle = await Workflows(app).StartAsync(Workflow.Chain(Sig.For<PerishableTask>(new Number(3)), Sig.Of<AddOneTask>()));
        // The step's 200 ms expiry runs on the real clock (the worker's timers do too): let it pass before the worker starts.
        await Task.Delay(600);
        await app.StartAsync();

        var failure = await Assert.ThrowsAsync<TaskFailedException>(() => handle.GetResultAsync<Number>(Wait));
        Assert.Equal(WorkflowMiddleware.ExpiredResultType, failure.ExceptionType);
        Assert.Contains("wf.perishable", failure.ExceptionMessage);
        Assert.Empty(app.Probe.Started);
    }

    [Fact]
    public async Task A_redelivered_step_resends_its_successor_under_the_same_id()
    {
        // No worker: the test plays the worker that continues the same step twice (a crash between send and ack).
        await using var app = TestApp.Create(c => c.AddTask<SquareTask>().AddTask<AddOneTask>(), record: true);
        var handle = await Workflows(app).StartAsync(Workflow.Chain(Sig.For<SquareTask>(new Number(3)), Sig.Of<AddOneTask>()));
        var first = Assert.Single(app.Recording.SentEnvelopes);
        var runner = app.Services.GetRequiredService<WorkflowRunner>();

        await runner.ContinueAsync(first, "{\"Value\":9}", CancellationToken.None);
        await runner.ContinueAsync(first, "{\"Value\":9}", CancellationToken.None);

        var next = app.Recording.SentEnvelopes.Skip(1).ToList();
        Assert.Equal(2, next.Count);
        Assert.Equal(next[0].Id, next[1].Id);
        Assert.Equal("wf.add-one", next[0].Task);
        Assert.Equal(9, next[0].Args.GetProperty("Value").GetInt64());
        Assert.Equal(handle.TaskId, next[0].Root);
    }

    [Fact]
    public async Task A_workflow_starts_from_a_task_name_it_does_not_know_and_fails_at_start_for_an_empty_group()
    {
        await using var app = TestApp.Create(_ => { }, record: true);
        await Workflows(app).StartAsync(Sig.Named("elsewhere.task", new Number(1)).OnQueue("far"), "wf-1");
        var sent = Assert.Single(app.Recording.SentEnvelopes);
        Assert.Equal(("elsewhere.task", "far", "wf-1"), (sent.Task, sent.Queue, sent.Root));
        Assert.Throws<ArgumentException>(() => Workflow.Group());
    }
}
