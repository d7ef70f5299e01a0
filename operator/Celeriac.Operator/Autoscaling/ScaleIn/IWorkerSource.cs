using Celeriac.Operator.Model;
using Celeriac.Registry;

namespace Celeriac.Operator.Autoscaling.ScaleIn;

/// <summary>Where the autoscaler reads what a TaskQueue's workers run now (their registry entries); throws when it cannot tell.</summary>
public interface IWorkerSource
{
    Task<IReadOnlyList<WorkerInfo>> ListAsync(TaskQueue queue, CancellationToken cancellationToken);
}
