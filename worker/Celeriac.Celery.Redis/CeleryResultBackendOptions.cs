namespace Celeriac.Celery.Redis;

/// <summary>Celery's Redis result backend, bound from <c>Celeriac:Celery:ResultBackend</c>.</summary>
public sealed class CeleryResultBackendOptions
{
    /// <summary>The Redis of Celery's <c>result_backend</c>: a Redis URL (<c>redis://host:6379/1</c>) or a StackExchange.Redis connection string. Unset: results are not kept.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Celery's <c>result_expires</c>: how long a task's record is kept (one day by default); zero keeps it forever.</summary>
    public TimeSpan Expires { get; set; } = TimeSpan.FromDays(1);
}
