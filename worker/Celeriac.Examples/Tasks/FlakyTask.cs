using Celeriac.Tasks;

namespace Celeriac.Examples.Tasks;

/// <summary>Fails on attempts below <c>FailUntilAttempt</c>; a value above MaxRetries ends in the dead-letter queue.</summary>
public sealed record FlakyArgs(int FailUntilAttempt);

public sealed class UpstreamUnavailableException(string message) : Exception(message);

[CeleriacTask("demo.flaky", Queue = "default", MaxRetries = 3, RetryBackoffSeconds = 0.2)]
public sealed class FlakyTask : ICeleriacTask<FlakyArgs>
{
    public Task RunAsync(FlakyArgs args, TaskContext context) =>
        context.Attempt < args.FailUntilAttempt
            ? throw new UpstreamUnavailableException($"upstream unavailable on attempt {context.Attempt}")
            : Task.CompletedTask;
}
