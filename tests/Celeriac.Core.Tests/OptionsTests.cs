using Celeriac.Hosting;
using Celeriac.Tasks;
using Celeriac.Tests.Infrastructure;
using Celeriac.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Celeriac.Tests;

public sealed class OptionsTests
{
    private static TaskOptions OptionsOf(TestApp app, string task)
    {
        Assert.True(app.Services.GetRequiredService<TaskRegistry>().TryGet(task, out var descriptor));
        return descriptor.Options;
    }

    [Fact]
    public async Task Attribute_values_apply()
    {
        await using var app = TestApp.Create(c => c.AddTask<OptionsTask>());
        var options = OptionsOf(app, "test.options");

        Assert.Equal("attr-q", options.Queue);
        Assert.Equal(7, options.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(2), options.RetryBackoff);
        Assert.Equal(TimeSpan.FromSeconds(3), options.SoftTimeLimit);
        Assert.Equal(TimeSpan.FromSeconds(4), options.HardTimeLimit);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Expires);
        Assert.False(options.AcksLate);
    }

    [Fact]
    public async Task Defaults_apply_without_attribute_values()
    {
        await using var app = TestApp.Create(c => c.AddTask<EchoTask>());
        var options = OptionsOf(app, "test.echo");

        Assert.Equal("default", options.Queue);
        Assert.Equal(3, options.MaxRetries);
        Assert.True(options.AcksLate);
        Assert.Null(options.SoftTimeLimit);
    }

    [Fact]
    public async Task Code_overrides_the_attribute_and_configuration_overrides_both()
    {
        await using var app = TestApp.Create(
            c => c.AddTask<OptionsTask>(o =>
            {
                o.Queue = "code-q";
                o.MaxRetries = 8;
                o.SoftTimeLimit = TimeSpan.FromSeconds(30);
                o.DoNotRetryOn<ArgumentException>();
            }),
            new Dictionary<string, string?>
            {
                ["Celeriac:Tasks:test.options:MaxRetries"] = "9",
                ["Celeriac:Tasks:test.options:SoftTimeLimit"] = "00:00:10",
                ["Celeriac:Tasks:test.options:AcksLate"] = "true",
                ["Celeriac:Tasks:test.options:RetryBackoffMax"] = "00:01:00",
            });
        var options = OptionsOf(app, "test.options");

        Assert.Equal("code-q", options.Queue);                              // code over attribute
        Assert.Equal(9, options.MaxRetries);                                // configuration over code and attribute
        Assert.Equal(TimeSpan.FromSeconds(10), options.SoftTimeLimit);      // configuration over code
        Assert.True(options.AcksLate);                                      // configuration over attribute
        Assert.Equal(TimeSpan.FromMinutes(1), options.RetryBackoffMax);     // configuration over default
        Assert.Equal(TimeSpan.FromSeconds(4), options.HardTimeLimit);       // attribute, untouched
        Assert.Contains(typeof(ArgumentException), options.DoNotRetry);     // code only, kept
    }

    [Fact]
    public async Task A_name_override_registers_under_that_name_and_reads_its_section()
    {
        await using var app = TestApp.Create(
            c => c.AddTask<EchoTask>(name: "echo.renamed"),
            new Dictionary<string, string?> { ["Celeriac:Tasks:echo.renamed:Queue"] = "renamed-q" });

        Assert.False(app.Services.GetRequiredService<TaskRegistry>().TryGet("test.echo", out _));
        Assert.Equal("renamed-q", OptionsOf(app, "echo.renamed").Queue);
    }

    [Fact]
    public async Task A_dotted_task_name_is_configured_by_its_shell_safe_spelling_and_the_exact_one_wins()
    {
        // Celeriac__Tasks__echo_renamed__Queue is what a shell can export for the task echo.renamed.
        await using var app = TestApp.Create(
            c => c.AddTask<EchoTask>(name: "echo.renamed").AddTask<OptionsTask>(),
            new Dictionary<string, string?>
            {
                ["Celeriac:Tasks:echo_renamed:Queue"] = "safe-q",
                ["Celeriac:Tasks:echo_renamed:MaxRetries"] = "6",
                ["Celeriac:Tasks:echo.renamed:MaxRetries"] = "2",
                ["Celeriac:Tasks:test_options:MaskArgs"] = "true",
            });

        var options = OptionsOf(app, "echo.renamed");
        Assert.Equal("safe-q", options.Queue);
        Assert.Equal(2, options.MaxRetries);
        Assert.True(OptionsOf(app, "test.options").MaskArgs);
        Assert.Equal("fan_item_v2", TaskConfiguration.ShellSafe("fan.item-v2"));
    }

    [Fact]
    public async Task A_malformed_rate_limit_names_its_key()
    {
        await using var app = TestApp.Create(c => c.AddTask<EchoTask>(), new Dictionary<string, string?> { ["Celeriac:Tasks:test.echo:RateLimit"] = "fast" });
        var error = Assert.Throws<FormatException>(() => app.Services.GetRequiredService<TaskRegistry>());
        Assert.StartsWith("Celeriac:Tasks:test.echo:RateLimit: Rate limit 'fast'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_task_name_registered_twice_is_an_error()
    {
        await using var app = TestApp.Create(c => c.AddTask<EchoTask>().AddTask<StrictTask>(name: "test.echo"));
        var error = Assert.Throws<InvalidOperationException>(() => app.Services.GetRequiredService<TaskRegistry>());
        Assert.Contains("registered twice", error.Message);
    }

    [Fact]
    public async Task Worker_options_are_bound_from_the_worker_section()
    {
        await using var app = TestApp.Create(
            c => c.AddTask<EchoTask>().AddWorker(),
            new Dictionary<string, string?>
            {
                ["Celeriac:Worker:Concurrency"] = "3",
                ["Celeriac:Worker:MaxFetchBatch"] = "5",
                ["Celeriac:Worker:LeaseDuration"] = "00:00:45",
                ["Celeriac:Worker:HeartbeatInterval"] = "00:00:07",
                ["Celeriac:Worker:ReceiveWait"] = "00:00:02",
                ["Celeriac:Worker:StarvationGuardEvery"] = "4",
                ["Celeriac:Worker:ShutdownGrace"] = "00:01:00",
                ["Celeriac:Worker:MemoryCeilingMb"] = "512",
                ["Celeriac:Worker:Queues:0"] = "high",
                ["Celeriac:Worker:Queues:1"] = "low",
            });
        var options = app.Services.GetRequiredService<IOptions<WorkerOptions>>().Value;

        Assert.Equal(3, options.Concurrency);
        Assert.Equal(5, options.MaxFetchBatch);
        Assert.Equal(TimeSpan.FromSeconds(45), options.LeaseDuration);
        Assert.Equal(TimeSpan.FromSeconds(7), options.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(2), options.ReceiveWait);
        Assert.Equal(4, options.StarvationGuardEvery);
        Assert.Equal(TimeSpan.FromMinutes(1), options.ShutdownGrace);
        Assert.Equal(512, options.MemoryCeilingMb);
        Assert.Equal(["high", "low"], options.Queues);
        Assert.Equal(["high", "low"], app.Services.GetRequiredService<QueueOrder>().Queues);
        Assert.True(app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout > TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Host_shutdown_timeout_covers_a_grace_set_in_code()
    {
        await using var app = TestApp.Create(c => c.AddTask<EchoTask>().AddWorker(o => o.ShutdownGrace = TimeSpan.FromMinutes(2)));
        Assert.True(app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout > TimeSpan.FromMinutes(2));
    }

    [Fact]
    public async Task Invalid_worker_options_fail_at_start()
    {
        await using var app = TestApp.Create(
            c => c.AddTask<EchoTask>().AddWorker(),
            new Dictionary<string, string?> { ["Celeriac:Worker:Concurrency"] = "0" });
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.Host.StartAsync());
        Assert.Equal(["Celeriac:Worker:Concurrency must be positive (was 0)."], error.Failures);
    }

    [Fact]
    public async Task Every_invalid_worker_option_is_reported_once_with_its_key()
    {
        // AddWorker twice (a module and the host, say) binds twice but validates once.
        await using var app = TestApp.Create(
            c => c.AddTask<EchoTask>().AddWorker().AddWorker(o => o.HeartbeatInterval = TimeSpan.Zero),
            new Dictionary<string, string?>
            {
                ["Celeriac:Worker:MaxFetchBatch"] = "0",
                ["Celeriac:Worker:ReceiveWait"] = "-00:00:01",
                ["Celeriac:Worker:Queues:0"] = " ",
            });
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.Host.StartAsync());
        Assert.Equal(
        [
            "Celeriac:Worker:MaxFetchBatch must be positive (was 0).",
            "Celeriac:Worker:HeartbeatInterval must be positive (was 00:00:00).",
            "Celeriac:Worker:ReceiveWait must not be negative (was -00:00:01).",
            "Celeriac:Worker:Queues:0 must be set.",
        ], error.Failures);
    }

    [Fact]
    public async Task Duplicate_queue_names_fail_at_start_with_the_names()
    {
        await using var app = TestApp.Create(
            c => c.AddTask<EchoTask>().AddWorker(),
            new Dictionary<string, string?>
            {
                ["Celeriac:Queues:0:Name"] = "bulk", ["Celeriac:Queues:1:Name"] = "urgent", ["Celeriac:Queues:2:Name"] = "bulk",
            });
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.Host.StartAsync());
        Assert.Equal(["Celeriac:Queues has duplicate names: bulk."], error.Failures);
    }

    [Fact]
    public void A_section_validator_names_the_full_key_and_throws_for_constructors()
    {
        var validator = new WorkerOptionsValidator();
        Assert.True(validator.Validate(Options.DefaultName, new WorkerOptions()).Succeeded);
        var error = Assert.Throws<OptionsValidationException>(() => validator.ThrowIfInvalid(new WorkerOptions { Concurrency = -2, MemoryCeilingMb = 0 }));
        Assert.Equal(["Celeriac:Worker:Concurrency must be positive (was -2).", "Celeriac:Worker:MemoryCeilingMb must be positive (was 0)."], error.Failures);
        Assert.Equal(typeof(WorkerOptions), error.OptionsType);
    }

    [Fact]
    public async Task Declared_queues_give_the_worker_its_queues_highest_priority_first()
    {
        await using var app = TestApp.Create(
            c => c.AddTask<EchoTask>().AddWorker(),
            new Dictionary<string, string?>
            {
                ["Celeriac:Queues:0:Name"] = "bulk", ["Celeriac:Queues:0:Priority"] = "1",
                ["Celeriac:Queues:1:Name"] = "urgent", ["Celeriac:Queues:1:Priority"] = "10",
            });
        Assert.Equal(["urgent", "bulk"], app.Services.GetRequiredService<QueueOrder>().Queues);
        Assert.Equal(1, app.Services.GetRequiredService<IOptions<CeleriacOptions>>().Value.PriorityOf("bulk"));
    }
}
