namespace Celeriac.Celery.Results;

/// <summary>Celery's task states, as its result backends store them.</summary>
public static class CeleryStates
{
    public const string Pending = "PENDING";
    public const string Started = "STARTED";
    public const string Success = "SUCCESS";
    public const string Failure = "FAILURE";
    public const string Retry = "RETRY";
    public const string Revoked = "REVOKED";

    /// <summary>The states after which a task does not change (<c>READY_STATES</c>).</summary>
    public static bool IsReady(string? state) => state is Success or Failure or Revoked;

    /// <summary>The states that fail what waits on the task (<c>PROPAGATE_STATES</c>).</summary>
    public static bool Propagates(string? state) => state is Failure or Revoked;
}
