namespace Celeriac.Operator.Model;

/// <summary>How the queues with protocol celery meet Celery: kombu's settings, as the Celery side has them, and Celery's result backend.</summary>
public sealed class CelerySpec
{
    /// <summary>kombu's <c>global_keyprefix</c> on Redis.</summary>
    public string? KeyPrefix { get; set; }

    /// <summary>kombu's <c>visibility_timeout</c> on Redis, a duration such as 1h.</summary>
    public string? VisibilityTimeout { get; set; }

    /// <summary>kombu's <c>queue_name_prefix</c> on SQS.</summary>
    public string? QueueNamePrefix { get; set; }

    /// <summary>Celery's <c>task_default_queue</c>, for what Celeriac sends on Celery's behalf without a queue.</summary>
    public string? DefaultQueue { get; set; }

    public CeleryResultBackendSpec? ResultBackend { get; set; }
}

/// <summary>Celery's Redis result backend: a Redis server and database, its password or whole connection string from a Secret.</summary>
public sealed class CeleryResultBackendSpec
{
    public string? Address { get; set; }
    public bool Tls { get; set; }
    public int? Database { get; set; }
    public SecretKeyRef? PasswordSecretRef { get; set; }
    public SecretKeyRef? ConnectionStringSecretRef { get; set; }
}
