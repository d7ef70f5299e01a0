using Celeriac.Hosting;

namespace Celeriac.Worker;

/// <summary>The rules of <c>Celeriac:Worker</c>.</summary>
public sealed class WorkerOptionsValidator() : OptionsSectionValidator<WorkerOptions>("Worker")
{
    protected override void Check(WorkerOptions options, OptionsCheck check)
    {
        check.Positive(options.Concurrency, nameof(options.Concurrency));
        check.Positive(options.MaxFetchBatch, nameof(options.MaxFetchBatch));
        check.AtLeast(options.LeaseDuration, TimeSpan.FromSeconds(1), nameof(options.LeaseDuration));
        if (options.HeartbeatInterval is { } heartbeat) check.Positive(heartbeat, nameof(options.HeartbeatInterval));
        check.NotNegative(options.ReceiveWait, nameof(options.ReceiveWait));
        check.NotNegative(options.StarvationGuardEvery, nameof(options.StarvationGuardEvery));
        check.NotNegative(options.ShutdownGrace, nameof(options.ShutdownGrace));
        if (options.MemoryCeilingMb is { } ceiling) check.Positive(ceiling, nameof(options.MemoryCeilingMb));
        check.Positive(options.MemoryCheckInterval, nameof(options.MemoryCheckInterval));
        for (var i = 0; i < options.Queues.Count; i++) check.Required(options.Queues[i], $"{nameof(options.Queues)}:{i}");
    }
}
