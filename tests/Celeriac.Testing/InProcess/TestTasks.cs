using Celeriac.Pipeline;
using Celeriac.Tasks;

namespace Celeriac.Testing.InProcess;

public sealed record ScriptArgs(string Label);

/// <summary>Runs whatever the test put in <see cref="Probe.Handler"/>, recording start and end.</summary>
[CeleriacTask("test.script")]
public sealed class ScriptTask(Probe probe) : ICeleriacTask<ScriptArgs>
{
    public async Task RunAsync(ScriptArgs args, TaskContext context)
    {
        probe.OnStart(context, args.Label);
        try
        {
            await probe.Handler(args, new ScriptContext(context, Probe.CurrentExecution));
        }
        finally
        {
            probe.OnEnd(context, args.Label);
        }
    }
}

public sealed record EchoArgs(string Text);

[CeleriacTask("test.echo")]
public sealed class EchoTask(Probe probe) : ICeleriacTask<EchoArgs>
{
    public Task RunAsync(EchoArgs args, TaskContext context)
    {
        probe.OnStart(context, args.Text);
        probe.OnEnd(context, args.Text);
        return Task.CompletedTask;
    }
}

/// <summary>Positional record: both constructor parameters are required when binding.</summary>
public sealed record StrictArgs(string Name, int Count);

[CeleriacTask("test.strict")]
public sealed class StrictTask(Probe probe) : ICeleriacTask<StrictArgs>
{
    public Task RunAsync(StrictArgs args, TaskContext context)
    {
        probe.OnStart(context, args.Name);
        probe.OnEnd(context, args.Name);
        return Task.CompletedTask;
    }
}

/// <summary>A value object that validates itself, as domain types often do.</summary>
public sealed record EmailArgs
{
    public EmailArgs(string address)
    {
        if (!address.Contains('@')) throw new FormatException($"'{address}' is not an e-mail address");
        Address = address;
    }

    public string Address { get; }
}

[CeleriacTask("test.email")]
public sealed class EmailTask(Probe probe) : ICeleriacTask<EmailArgs>
{
    public Task RunAsync(EmailArgs args, TaskContext context)
    {
        probe.OnStart(context, args.Address);
        probe.OnEnd(context, args.Address);
        return Task.CompletedTask;
    }
}

public sealed record SumArgs(int A, int B);

[CeleriacTask("test.sum")]
public sealed class SumTask : ICeleriacTask<SumArgs, int>
{
    public Task<int> RunAsync(SumArgs args, TaskContext context) => Task.FromResult(args.A + args.B);
}

[CeleriacTask("test.options", Queue = "attr-q", MaxRetries = 7, RetryBackoffSeconds = 2, SoftTimeLimitSeconds = 3, HardTimeLimitSeconds = 4, ExpiresSeconds = 5, AcksEarly = true)]
public sealed class OptionsTask : ICeleriacTask<OptionsArgs>
{
    public Task RunAsync(OptionsArgs args, TaskContext context) => Task.CompletedTask;
}

public sealed record OptionsArgs(int N);

public sealed record TwinArgs(int N);

[CeleriacTask("test.twin-a")]
public sealed class TwinATask : ICeleriacTask<TwinArgs>
{
    public Task RunAsync(TwinArgs args, TaskContext context) => Task.CompletedTask;
}

[CeleriacTask("test.twin-b")]
public sealed class TwinBTask : ICeleriacTask<TwinArgs>
{
    public Task RunAsync(TwinArgs args, TaskContext context) => Task.CompletedTask;
}

public sealed record UnregisteredArgs(int N);
