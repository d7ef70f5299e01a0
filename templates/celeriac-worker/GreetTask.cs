using Celeriac.Tasks;
using Microsoft.Extensions.Logging;

namespace Company.Tasks;

public sealed record Greet(string Name);

/// <summary>A first task: replace it with yours. Enqueue with <c>celeriac enqueue greet --args '{"name":"Ada"}'</c>.</summary>
[CeleriacTask("greet", Queue = "default", MaxRetries = 3, SoftTimeLimitSeconds = 10, HardTimeLimitSeconds = 30)]
public sealed class GreetTask(ILogger<GreetTask> logger) : ICeleriacTask<Greet, string>
{
    public Task<string> RunAsync(Greet args, TaskContext context)
    {
        var greeting = $"Hello, {args.Name}!";
        logger.LogInformation("{Greeting} (task {TaskId}, attempt {Attempt})", greeting, context.TaskId, context.Attempt);
        return Task.FromResult(greeting);
    }
}
