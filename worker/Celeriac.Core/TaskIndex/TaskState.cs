namespace Celeriac.TaskIndex;

/// <summary>Where a task is, as the recent-tasks index last heard.</summary>
public enum TaskState
{
    /// <summary>Sent to its queue (or handed back to it, by a rate limit or a held lock) and not started.</summary>
    Queued,
    Started,
    Succeeded,
    /// <summary>Failed on an attempt and was sent again for a retry.</summary>
    Retried,
    /// <summary>Failed for good by its own exception (retries exhausted, not retryable, rejected): its message is in the dead letters.</summary>
    Failed,
    /// <summary>Dead-lettered without an exception of the task's (a hard time limit, a poison message).</summary>
    DeadLettered,
    Revoked,
    Expired,
}
