using Celeriac.Pipeline;
using Celeriac.Tasks;

namespace Celeriac.Celery.Tests.Infrastructure;

public sealed record DoubleArgs(int Value);

/// <summary>Doubles its value: the .NET step of the mixed chains and chords.</summary>
[CeleriacTask("dotnet.double")]
public sealed class DoubleTask : ICeleriacTask<DoubleArgs, int>
{
    public Task<int> RunAsync(DoubleArgs args, TaskContext context) => Task.FromResult(args.Value * 2);
}

public sealed record GreetArgs(string UserName, string Greeting, int Times = 1);

/// <summary>Binds positional args by declared order and keyword args by name (<c>user_name</c> is UserName).</summary>
[CeleriacTask("dotnet.greet")]
public sealed class GreetTask : ICeleriacTask<GreetArgs, string>
{
    public Task<string> RunAsync(GreetArgs args, TaskContext context) =>
        Task.FromResult(string.Join(" ", Enumerable.Repeat($"{args.Greeting}, {args.UserName}!", args.Times)));
}

public sealed record FailArgs(string Message);

/// <summary>Fails for good: Python sees the exception type and message.</summary>
[CeleriacTask("dotnet.fail", MaxRetries = 0)]
public sealed class FailTask : ICeleriacTask<FailArgs, int>
{
    public Task<int> RunAsync(FailArgs args, TaskContext context) => throw new InvalidOperationException(args.Message);
}

public sealed record FlakyArgs(string Label);

/// <summary>Fails its first attempt and succeeds on the retry, returning the attempt it succeeded on.</summary>
[CeleriacTask("dotnet.flaky", MaxRetries = 2, RetryBackoffSeconds = 1)]
public sealed class FlakyTask : ICeleriacTask<FlakyArgs, int>
{
    public Task<int> RunAsync(FlakyArgs args, TaskContext context) =>
        context.Attempt == 0 ? throw new TimeoutException($"{args.Label}: the first attempt times out") : Task.FromResult(context.Attempt);
}

public sealed record SleepArgs(int Milliseconds);

/// <summary>Sleeps, honouring its token: for time limits from the message.</summary>
[CeleriacTask("dotnet.sleep", MaxRetries = 0)]
public sealed class SleepTask : ICeleriacTask<SleepArgs, string>
{
    public async Task<string> RunAsync(SleepArgs args, TaskContext context)
    {
        await Task.Delay(args.Milliseconds, context.CancellationToken);
        return "slept";
    }
}
