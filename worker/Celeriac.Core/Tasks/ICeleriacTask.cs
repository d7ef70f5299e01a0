namespace Celeriac.Tasks;

/// <summary>A task that takes a typed argument record. Declare its name and options with <see cref="CeleriacTaskAttribute"/>.</summary>
public interface ICeleriacTask<in TArgs>
{
    Task RunAsync(TArgs args, TaskContext context);
}

/// <summary>A task that returns a result (kept by the result backend where one is configured).</summary>
public interface ICeleriacTask<in TArgs, TResult>
{
    Task<TResult> RunAsync(TArgs args, TaskContext context);
}
