using Celeriac.Pipeline;
using Celeriac.Tasks;

namespace Celeriac.Tests.Infrastructure;

public sealed record Number(long Value);

[CeleriacTask("wf.square")]
public sealed class SquareTask(Probe probe) : ICeleriacTask<Number, Number>
{
    public Task<Number> RunAsync(Number args, TaskContext context)
    {
        probe.OnStart(context, "square " + args.Value);
        probe.OnEnd(context, "square " + args.Value);
        return Task.FromResult(new Number(args.Value * args.Value));
    }
}

[CeleriacTask("wf.add-one")]
public sealed class AddOneTask(Probe probe) : ICeleriacTask<Number, Number>
{
    public Task<Number> RunAsync(Number args, TaskContext context)
    {
        probe.OnStart(context, "add-one " + args.Value);
        probe.OnEnd(context, "add-one " + args.Value);
        return Task.FromResult(new Number(args.Value + 1));
    }
}

[CeleriacTask("wf.sum")]
public sealed class SumNumbersTask(Probe probe) : ICeleriacTask<Number[], Number>
{
    public Task<Number> RunAsync(Number[] args, TaskContext context)
    {
        probe.OnStart(context, "sum " + args.Length);
        probe.OnEnd(context, "sum " + args.Length);
        return Task.FromResult(new Number(args.Sum(n => n.Value)));
    }
}

/// <summary>Fails for good (not retryable).</summary>
[CeleriacTask("wf.fail", MaxRetries = 0)]
public sealed class FailTask(Probe probe) : ICeleriacTask<Number, Number>
{
    public Task<Number> RunAsync(Number args, TaskContext context)
    {
        probe.OnStart(context, "fail " + args.Value);
        probe.OnEnd(context, "fail " + args.Value);
        throw new InvalidOperationException($"no good: {args.Value}");
    }
}

/// <summary>Asks for a retry on its first attempt, then doubles its number.</summary>
[CeleriacTask("wf.flaky", MaxRetries = 3)]
public sealed class FlakyDoubleTask(Probe probe) : ICeleriacTask<Number, Number>
{
    public Task<Number> RunAsync(Number args, TaskContext context)
    {
        probe.OnStart(context, "flaky " + args.Value);
        probe.OnEnd(context, "flaky " + args.Value);
        if (context.Attempt == 0) throw new RetryTaskException(TimeSpan.FromMilliseconds(50), "first attempt");
        return Task.FromResult(new Number(args.Value * 2));
    }
}

/// <summary>Expires 200 ms after it is sent.</summary>
[CeleriacTask("wf.perishable", ExpiresSeconds = 0.2)]
public sealed class PerishableTask(Probe probe) : ICeleriacTask<Number, Number>
{
    public Task<Number> RunAsync(Number args, TaskContext context)
    {
        probe.OnStart(context, "perishable " + args.Value);
        probe.OnEnd(context, "perishable " + args.Value);
        return Task.FromResult(args);
    }
}
