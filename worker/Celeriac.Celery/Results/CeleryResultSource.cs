using Celeriac.Results;

namespace Celeriac.Celery.Results;

/// <summary>Lets Celeriac's task handles find results in Celery's result backend: of tasks sent to Celery queues and run by Celery workers.</summary>
public sealed class CeleryResultSource(ICeleryResultBackend backend, TimeProvider time) : IResultSource
{
    public async ValueTask<TaskResult?> GetAsync(string taskId, CancellationToken cancellationToken)
    {
        var meta = await backend.GetAsync(taskId, cancellationToken).ConfigureAwait(false);
        return CeleryResultMeta.ToTaskResult(taskId, meta, time.GetUtcNow());
    }
}
