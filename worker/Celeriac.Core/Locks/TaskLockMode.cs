namespace Celeriac.Locks;

public enum TaskLockMode
{
    /// <summary>No lock: instances run concurrently.</summary>
    None,
    /// <summary>Taken when the task starts; a task that finds it held is returned to its queue to wait.</summary>
    Wait,
    /// <summary>Taken at enqueue and held until the task finishes: enqueueing a duplicate meanwhile returns the holder's id and sends nothing.</summary>
    SkipAtEnqueue,
}
