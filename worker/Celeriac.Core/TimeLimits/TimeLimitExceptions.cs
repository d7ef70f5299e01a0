namespace Celeriac.TimeLimits;

public abstract class TaskTimeLimitExceededException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The task did not finish within its soft limit and honoured its cancellation token.</summary>
public sealed class SoftTimeLimitExceededException(TimeSpan limit, Exception? inner = null)
    : TaskTimeLimitExceededException($"soft time limit of {limit.TotalSeconds:0.###}s exceeded", inner);

/// <summary>The task ignored cancellation past its hard limit; the worker recycles.</summary>
public sealed class HardTimeLimitExceededException(TimeSpan limit)
    : TaskTimeLimitExceededException($"hard time limit of {limit.TotalSeconds:0.###}s exceeded");
