using Celeriac.FanOut;
using Celeriac.Locks;
using Celeriac.RateLimits;
using Celeriac.Results;
using Celeriac.Revocation;
using Celeriac.Workflows;

namespace Celeriac.Hosting;

/// <summary>
/// What a store backend provides to <see cref="CeleriacBuilder.UseStore"/>: one implementation per feature, each in that
/// feature's folder of the backend (<c>Celeriac.Redis/RateLimits/</c>, ...).
/// </summary>
public sealed record StoreServices(
    Func<IServiceProvider, IRateLimiter> RateLimits,
    Func<IServiceProvider, ITaskLockStore> Locks,
    Func<IServiceProvider, IResultStore> Results,
    Func<IServiceProvider, IRevocationStore> Revocations,
    Func<IServiceProvider, IWorkflowStore> Workflows,
    Func<IServiceProvider, IFanOutProgressStore> FanOutProgress)
{
    /// <summary>Everything in this process: per worker, not shared.</summary>
    public static StoreServices InMemory { get; } = new(
        sp => new InMemoryRateLimiter(Time(sp)),
        sp => new InMemoryTaskLockStore(Time(sp)),
        sp => new InMemoryResultStore(Time(sp)),
        sp => new InMemoryRevocationStore(Time(sp)),
        sp => new InMemoryWorkflowStore(Time(sp)),
        _ => new InMemoryFanOutProgressStore());

    private static TimeProvider? Time(IServiceProvider services) => (TimeProvider?)services.GetService(typeof(TimeProvider));
}
