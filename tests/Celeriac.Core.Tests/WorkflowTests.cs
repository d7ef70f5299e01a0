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
    public async Task AChainPassesEachResultToTheNextTask()
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
    public async Task FixedArgsAndImmutableSignaturesIgnoreThePreviousResult()
    {
        await using var app = await StartAsync();
        var handle = await Workflows(app).StartAsync(Workflow.Chain(
            Sig.For<SquareTask>(new Number(3)), Sig.For<AddOneTask>(new Number(40)), Sig.Named("wf.add-one", new Number(1)).Immutable()));

        Assert.Equal(new Number(2), await handle.GetResultAsync<Number>(Wait));
    }

    [Fact]
    public async Task AGroupResultIsTheListOfItsMembersResultsInOrder()
    {
        await using var app = await StartAsync(concurrency: 8);
        var handle = await Workflows(app).StartAsync(Workflow.Group(Enumerable.Range(1, 12).Select(i => Sig.For<SquareTask>(new Number(i)))));

        var results = await handle.GetResultAsync<Number[]>(Wait);
        Assert.Equal(Enumerable.Range(1, 12).Select(i => new Number(i * i)), results!);
    }

    [Fact]
    public async Task AChordCallsItsCallbackOnceWithEveryMembersResult()
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
    public async Task WorkflowsNest()
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
    public async Task AFailureStopsTheChainAndRecordsWhere()
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
    public async Task AMemberFailureFailsTheChordWithoutCallingBack()
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
    public async Task AStepMovesTheWorkflowOnOnlyAfterItsFinalOutcomeNotOnARetry()
    {
        await using var app = await StartAsync();
        var handle = await Workflows(app).StartAsync(Workflow.Chain(Sig.For<FlakyDoubleTask>(new Number(4)), Sig.Of<AddOneTask>()));

        Assert.Equal(new Number(9), await handle.GetResultAsync<Number>(Wait));
        Assert.Equal(2, Runs(app, "flaky "));
        await app.Broker.DrainAsync().WaitAsync(Wait);
        Assert.Equal(["add-one 8"], app.Probe.Started.Where(r => r.Task == "wf.add-one").Select(r => r.Label));
    }

    [Fact]
    public async Task RevokingAWorkflowDiscardsItsStepsAndFailsItAsRevoked()
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
    public async Task AStepThatExpiresBeforeItRunsFailsTheWorkflow()
    {
        await using var app = Create();
        var handle = await Workflows(app).StartAsync(Workflow.Chain(Sig.For<PerishableTask>(new Number(3)), Sig.Of<AddOneTask>()));
        await Task.Delay(600);
        await app.StartAsync();

        var failure = await Assert.ThrowsAsync<TaskFailedException>(() => handle.GetResultAsync<Number>(Wait));
        Assert.Equal(WorkflowMiddleware.ExpiredResultType, failure.ExceptionType);
        Assert.Contains("wf.perishable", failure.ExceptionMessage);
        Assert.Empty(app.Probe.Started);
    }

    [Fact]
    public async Task ARedeliveredStepResendsItsSuccessorUnderTheSameId()
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
    public async Task AWorkflowStartsFromATaskNameItDoesNotKnowAndFailsAtStartForAnEmptyGroup()
    {
        await using var app = TestApp.Create(_ => { }, record: true);
        await Workflows(app).StartAsync(Sig.Named("elsewhere.task", new Number(1)).OnQueue("far"), "wf-1");
        var sent = Assert.Single(app.Recording.SentEnvelopes);
        Assert.Equal(("elsewhere.task", "far", "wf-1"), (sent.Task, sent.Queue, sent.Root));
        Assert.Throws<ArgumentException>(() => Workflow.Group());
    }
}
