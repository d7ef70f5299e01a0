using System.Diagnostics;
using System.Text.Json.Nodes;
using Celeriac.Brokers;
using Celeriac.Celery.Tests.Infrastructure;
using Celeriac.Client;
using Celeriac.Results;
using Celeriac.Workflows;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Celery.Tests;

/// <summary>
/// Celeriac in a Celery deployment on a real redis-server, against unmodified Celery 5.2 (Debian's python3-celery): Python
/// sends with <c>apply_async</c> and waits with <c>AsyncResult.get()</c>; a stock <c>celery worker</c> runs what Celeriac sends.
/// </summary>
public sealed class RedisInteropTests(RedisCeleryFixture redis) : IClassFixture<RedisCeleryFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static string NewQueue() => "dotnet-" + Guid.NewGuid().ToString("N")[..8];

    private Task<CeleriacCeleryApp> WorkerAsync(string queue) =>
        CeleriacCeleryApp.Create(redis.CeleriacSettings(), [queue, "celery"], [queue]).StartAsync();

    [Fact]
    public async Task Python_apply_async_runs_on_Celeriac_and_get_returns_the_value()
    {
        var queue = NewQueue();
        await using var worker = await WorkerAsync(queue);

        var doubled = await redis.Python.RunAsync("apply", new { task = "dotnet.double", args = new[] { 21 }, queue });
        Assert.Equal(42, doubled["result"]!.GetValue<int>());

        // Positional args bind in declared order, keyword args by name: user_name is UserName, and a default stays.
        var greeted = await redis.Python.RunAsync("apply", new { task = "dotnet.greet", args = new object[] { "Ada" }, kwargs = new { greeting = "Hi", times = 2 }, queue });
        Assert.Equal("Hi, Ada! Hi, Ada!", greeted["result"]!.GetValue<string>());
        var keywords = await redis.Python.RunAsync("apply", new { task = "dotnet.greet", kwargs = new { user_name = "Grace", greeting = "Hello" }, queue });
        Assert.Equal("Hello, Grace!", keywords["result"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_failing_dotnet_task_raises_its_type_and_message_in_Python()
    {
        var queue = NewQueue();
        await using var worker = await WorkerAsync(queue);

        var failed = await redis.Python.RunAsync("apply", new { task = "dotnet.fail", args = new[] { "the ledger is closed" }, queue });

        Assert.Equal("InvalidOperationException", failed["error"]!.GetValue<string>());
        Assert.Equal("the ledger is closed", failed["message"]!.GetValue<string>());
        Assert.Contains("FailTask.RunAsync", failed["traceback"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_callback_and_an_errback_cross_from_dotnet_to_Python()
    {
        var queue = NewQueue();
        await redis.CeleryWorkerAsync();
        await using var worker = await WorkerAsync(queue);

        var linked = await redis.Python.RunAsync("link", new { task = "dotnet.double", args = new[] { 4 }, queue, callback = "tasks.inc", callback_queue = "celery", errback_queue = "celery" });
        Assert.Equal(8, linked["task"]!["result"]!.GetValue<int>());
        Assert.Equal(9, linked["follow"]!["result"]!.GetValue<int>());
        // The callback is the task's child, as Celery records children.
        var state = await redis.Python.RunAsync("state", new { id = linked["task"]!["id"]!.GetValue<string>() });
        Assert.Equal(linked["follow"]!["id"]!.GetValue<string>(), state["children"]![0]![0]![0]!.GetValue<string>());

        var failed = await redis.Python.RunAsync("link", new { task = "dotnet.fail", args = new[] { "no" }, queue, callback = "tasks.inc", callback_queue = "celery", errback_queue = "celery" });
        Assert.Equal("InvalidOperationException", failed["task"]!["error"]!.GetValue<string>());
        Assert.Equal("errback:" + failed["task"]!["id"]!.GetValue<string>(), failed["follow"]!["result"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_Celeriac_producer_runs_tasks_on_a_stock_celery_worker_and_reads_their_results()
    {
        await redis.CeleryWorkerAsync();
        await using var producer = CeleriacCeleryApp.Create(redis.CeleriacSettings(), ["celery"], served: null);
        await producer.StartAsync();

        var id = await producer.Client.EnqueueAsync("tasks.add", new object[] { 2, 3 }, new EnqueueOptions { Queue = "celery" });
        Assert.Equal(5, await producer.Control.Handle(id).GetResultAsync<int>(Patience));

        var byName = await producer.Client.EnqueueAsync("tasks.add", new { x = 10, y = 20 }, new EnqueueOptions { Queue = "celery" });
        Assert.Equal(30, await producer.Control.Handle(byName).GetResultAsync<int>(Patience));

        var failing = await producer.Client.EnqueueAsync("tasks.fail", new object[] { "bad input" }, new EnqueueOptions { Queue = "celery" });
        var error = await Assert.ThrowsAsync<TaskFailedException>(() => producer.Control.Handle(failing).GetResultAsync<int>(Patience));
        Assert.Equal("builtins.ValueError", error.ExceptionType);
        Assert.Equal("bad input", error.ExceptionMessage);
    }

    [Fact]
    public async Task A_chain_started_in_Python_runs_through_a_dotnet_step()
    {
        var queue = NewQueue();
        await redis.CeleryWorkerAsync();
        await using var worker = await WorkerAsync(queue);

        // add(2, 3) in Python = 5, double in .NET = 10, inc in Python = 11.
        var chained = await redis.Python.RunAsync("mixed_chain", new { x = 2, y = 3, dotnet_task = "dotnet.double", dotnet_queue = queue });

        Assert.Equal(11, chained["result"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_chain_started_from_dotnet_runs_through_a_Python_step()
    {
        var queue = NewQueue();
        await redis.CeleryWorkerAsync();
        await using var worker = await WorkerAsync(queue);

        // double(3) in .NET = 6, inc in Python = 7, double in .NET = 14: the handle reads the last step's record.
        var handle = await worker.Workflows.StartAsync(Workflow.Chain(
            Sig.For<DoubleTask>(new DoubleArgs(3)).OnQueue(queue),
            Sig.Named("tasks.inc").OnQueue("celery"),
            Sig.Of<DoubleTask>().OnQueue(queue)));

        Assert.Equal(14, await handle.GetResultAsync<int>(Patience));
        var fromPython = await redis.Python.RunAsync("get", new { id = handle.TaskId });
        Assert.Equal(14, fromPython["result"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_chord_of_dotnet_members_joins_into_a_Python_callback()
    {
        var queue = NewQueue();
        await redis.CeleryWorkerAsync();
        await using var worker = await WorkerAsync(queue);

        var joined = await redis.Python.RunAsync("mixed_chord", new { dotnet_task = "dotnet.double", dotnet_queue = queue, values = new[] { 1, 2, 3, 4 } });

        Assert.Equal(20, joined["result"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_failed_attempt_is_retried_as_Celery_retries_and_Python_gets_the_later_result()
    {
        var queue = NewQueue();
        await using var worker = await WorkerAsync(queue);

        var clock = Stopwatch.StartNew();
        var retried = await redis.Python.RunAsync("apply", new { task = "dotnet.flaky", args = new[] { "invoice" }, queue });

        // The retry is a new message with retries = 1 and an eta about a second ahead (the task's backoff).
        Assert.Equal(1, retried["result"]!.GetValue<int>());
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.5), $"the retry ran {clock.Elapsed} after the send, before its eta");
    }

    [Fact]
    public async Task A_countdown_waits_in_the_delay_store_and_runs_when_due()
    {
        var queue = NewQueue();
        await using var worker = await WorkerAsync(queue);

        var clock = Stopwatch.StartNew();
        var delayed = await redis.Python.RunAsync("apply", new { task = "dotnet.double", args = new[] { 5 }, queue, countdown = 2 });

        Assert.Equal(10, delayed["result"]!.GetValue<int>());
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2), $"a task with countdown 2 s ran after {clock.Elapsed}");
    }

    [Fact]
    public async Task An_expired_task_is_revoked_as_Celery_revokes_it()
    {
        var queue = NewQueue();
        var sent = await redis.Python.RunAsync("send", new { task = "dotnet.double", args = new[] { 1 }, queue, expires = 1 });
        // Celery's expires is an absolute time on the real clock: let it pass before a worker sees the message.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await using var worker = await WorkerAsync(queue);

        var outcome = await redis.Python.RunAsync("get", new { id = sent["id"]!.GetValue<string>() });

        Assert.Equal("TaskRevokedError", outcome["error"]!.GetValue<string>());
        Assert.Equal("expired", outcome["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_time_limits_of_the_message_apply()
    {
        var queue = NewQueue();
        await using var worker = await WorkerAsync(queue);

        var limited = await redis.Python.RunAsync("apply", new { task = "dotnet.sleep", args = new[] { 10_000 }, queue, soft_time_limit = 1 });

        // Billiard's own exception, as a Python worker's task would raise it.
        Assert.Equal("SoftTimeLimitExceeded", limited["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_protocol_1_message_is_read()
    {
        var queue = NewQueue();
        await using var worker = await WorkerAsync(queue);
        var python = new PythonCelery(new Dictionary<string, string>(redis.PythonEnvironment()) { ["INTEROP_PROTOCOL"] = "1" });

        var doubled = await python.RunAsync("apply", new { task = "dotnet.double", args = new[] { 8 }, queue });

        Assert.Equal(16, doubled["result"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_pickled_message_is_dead_lettered_with_the_reason_and_never_run()
    {
        var queue = NewQueue();
        await using var worker = await WorkerAsync(queue);
        var admin = worker.Services.GetRequiredService<IBrokerAdmin>();

        var sent = await redis.Python.RunAsync("send", new { task = "dotnet.double", args = new[] { 1 }, queue, serializer = "pickle" });
        var letters = await Eventually.Latest(async () => await admin.ListDeadLettersAsync(queue, 10, CancellationToken.None), l => l.Count > 0, Patience);

        var letter = Assert.Single(letters);
        Assert.Contains("pickle", letter.Reason, StringComparison.Ordinal);
        Assert.Contains("never deserializes", letter.Reason, StringComparison.Ordinal);
        // The dead letter is the message as it came, and nothing was recorded for the task.
        Assert.Contains(sent["id"]!.GetValue<string>(), System.Text.Encoding.UTF8.GetString(letter.Body.Span), StringComparison.Ordinal);
        var state = await redis.Python.RunAsync("state", new { id = sent["id"]!.GetValue<string>() });
        Assert.Equal("PENDING", state["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_call_that_does_not_fit_the_argument_record_is_dead_lettered_in_Python_words()
    {
        var queue = NewQueue();
        await using var worker = await WorkerAsync(queue);
        var admin = worker.Services.GetRequiredService<IBrokerAdmin>();

        await redis.Python.RunAsync("send", new { task = "dotnet.double", args = new[] { 1 }, kwargs = new { value = 2 }, queue });
        var letters = await Eventually.Latest(async () => await admin.ListDeadLettersAsync(queue, 10, CancellationToken.None), l => l.Count > 0, Patience);

        Assert.Equal("args do not bind to DoubleArgs: DoubleArgs got multiple values for argument 'value'", Assert.Single(letters).Reason);

        // A task no .NET code registered is dead-lettered by the worker as unknown, as a Celery worker rejects it.
        await redis.Python.RunAsync("send", new { task = "python.only", args = new[] { 1 }, queue });
        letters = await Eventually.Latest(async () => await admin.ListDeadLettersAsync(queue, 10, CancellationToken.None), l => l.Count > 1, Patience);
        Assert.Equal("unknown task 'python.only'", letters[1].Reason);
    }

    [Fact]
    public async Task A_replayed_Celery_dead_letter_is_sent_anew_with_its_retries_reset()
    {
        var queue = NewQueue();
        var sent = await redis.Python.RunAsync("send", new { task = "dotnet.double", args = new[] { 1, 2 }, queue, retries = 2 });
        await using (var worker = await WorkerAsync(queue))
        {
            var admin = worker.Services.GetRequiredService<IBrokerAdmin>();
            var letters = await Eventually.Latest(async () => await admin.ListDeadLettersAsync(queue, 10, CancellationToken.None), l => l.Count > 0, Patience);
            Assert.Contains("takes 1 positional argument but 2 were given", Assert.Single(letters).Reason, StringComparison.Ordinal);
        }

        await using var producer = CeleriacCeleryApp.Create(redis.CeleriacSettings(), [queue], served: null);
        var replayer = new DeadLetterReplayer(producer.Services.GetRequiredService<IBroker>(), producer.Services.GetRequiredService<IBrokerAdmin>());
        Assert.Equal(1, await replayer.ReplayAsync(queue, null, 10, CancellationToken.None));

        using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Server.Port}");
        var items = await connection.GetDatabase().ListRangeAsync(queue);
        var replayed = Protocol.KombuMessage.Parse((byte[])Assert.Single(items)!);
        Assert.Equal(sent["id"]!.GetValue<string>(), replayed.Headers["id"]!.GetValue<string>());
        Assert.Equal((0, false, "", queue), (replayed.Headers["retries"]!.GetValue<int>(), replayed.Redelivered, replayed.Exchange, replayed.RoutingKey));
        Assert.Empty(await producer.Services.GetRequiredService<IBrokerAdmin>().ListDeadLettersAsync(queue, 10, CancellationToken.None));
    }
}
