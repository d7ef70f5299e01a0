using Celeriac.Operator.Kubernetes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Celeriac.Operator.Controller;

/// <summary>
/// Lease-based leader election (coordination.k8s.io/v1), as client-go does it: the holder renews the Lease
/// every retry period and steps down when it cannot renew within the renew deadline; a candidate takes the
/// Lease once the holder's record has not changed for a whole lease duration, measured on the candidate's
/// own clock (so clock skew between nodes does not matter). Writes use resourceVersion, so of two candidates
/// only one wins (the other gets 409).
/// </summary>
/// <remarks>
/// Kept instead of KubernetesClient's <c>k8s.LeaderElection.LeaderElector</c> (21.x), which neither gives the Lease up on
/// shutdown (a successor would wait a whole lease duration after every rollout) nor takes a <see cref="TimeProvider"/> (it
/// reads <c>DateTime.UtcNow</c> and waits with <c>Task.Delay</c>, so its timing cannot be driven by a test clock).
/// </remarks>
public sealed class LeaderElector(IKubernetes client, OperatorOptions options, string leaseNamespace, string identity, TimeProvider time, ILogger<LeaderElector> logger)
{
    private (string Holder, DateTime? RenewTime)? observedRecord;
    private DateTimeOffset observedAt;
    private volatile bool isLeader;

    public string Identity => identity;
    public bool IsLeader => isLeader;

    /// <summary>Runs <paramref name="lead"/> whenever this instance leads, cancelling it when the leadership is lost; until <paramref name="cancellationToken"/>.</summary>
    public async Task RunAsync(Func<CancellationToken, Task> lead, Action<bool>? onChange, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            while (!await TryAcquireOrRenewAsync(cancellationToken).ConfigureAwait(false))
                await Task.Delay(options.RetryPeriod, time, cancellationToken).ConfigureAwait(false);

            isLeader = true;
            onChange?.Invoke(true);
            OperatorLog.BecameLeader(logger, identity, options.LeaseName);
            using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var work = Task.Run(() => lead(leading.Token), CancellationToken.None);
            var lastRenew = time.GetUtcNow();
            try
            {
                while (!cancellationToken.IsCancellationRequested && !work.IsCompleted)
                {
                    await Task.WhenAny(work, Task.Delay(options.RetryPeriod, time, cancellationToken)).ConfigureAwait(false);
                    if (work.IsCompleted || cancellationToken.IsCancellationRequested) break;
                    if (await TryAcquireOrRenewAsync(cancellationToken).ConfigureAwait(false)) lastRenew = time.GetUtcNow();
                    else if (time.GetUtcNow() - lastRenew > options.RenewDeadline) break;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            isLeader = false;
            onChange?.Invoke(false);
            await leading.CancelAsync().ConfigureAwait(false);
            try
            {
                await work.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            if (cancellationToken.IsCancellationRequested)
            {
                await ReleaseAsync().ConfigureAwait(false);
                return;
            }
            OperatorLog.LostLeadership(logger, identity, options.LeaseName);
        }
    }

    public async Task<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        try
        {
            var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(options.LeaseName, leaseNamespace, cancellationToken: cancellationToken)
                .OrNullAsync().ConfigureAwait(false);
            if (lease is null)
            {
                await client.CoordinationV1.CreateNamespacedLeaseAsync(NewLease(now), leaseNamespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                return true;
            }
            var spec = lease.Spec ??= new V1LeaseSpec();
            var holder = spec.HolderIdentity ?? "";
            var duration = TimeSpan.FromSeconds(spec.LeaseDurationSeconds ?? (int)options.LeaseDuration.TotalSeconds);
            if (observedRecord != (holder, spec.RenewTime))
            {
                observedRecord = (holder, spec.RenewTime);
                observedAt = now;
            }
            if (holder.Length > 0 && holder != identity && now < observedAt + duration) return false;

            if (holder != identity)
            {
                spec.LeaseTransitions = (spec.LeaseTransitions ?? 0) + 1;
                spec.AcquireTime = MicroTime(now);
            }
            spec.HolderIdentity = identity;
            spec.LeaseDurationSeconds = (int)options.LeaseDuration.TotalSeconds;
            spec.RenewTime = MicroTime(now);
            spec.LeaseTransitions ??= 0;
            // Replace sends the resourceVersion read above: a candidate that lost the race gets 409 Conflict.
            var updated = await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, options.LeaseName, leaseNamespace, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            observedRecord = (identity, updated.Spec?.RenewTime);
            observedAt = now;
            return true;
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException)
        {
            OperatorLog.LeaseAttemptFailed(logger, e is HttpOperationException h ? h.Describe() : e.Message);
            return false;
        }
    }

    /// <summary>On a clean shutdown, give the Lease up so that another instance need not wait for it to expire.</summary>
    private async Task ReleaseAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(options.LeaseName, leaseNamespace, cancellationToken: timeout.Token)
                .OrNullAsync().ConfigureAwait(false);
            if (lease?.Spec is not { } spec || spec.HolderIdentity != identity) return;
            spec.HolderIdentity = "";
            spec.LeaseDurationSeconds = 1;
            await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, options.LeaseName, leaseNamespace, cancellationToken: timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or OperationCanceledException)
        {
            OperatorLog.LeaseAttemptFailed(logger, e is HttpOperationException h ? h.Describe() : e.Message);
        }
    }

    private V1Lease NewLease(DateTimeOffset now) => new()
    {
        ApiVersion = "coordination.k8s.io/v1",
        Kind = "Lease",
        Metadata = new V1ObjectMeta { Name = options.LeaseName, NamespaceProperty = leaseNamespace },
        Spec = new V1LeaseSpec
        {
            HolderIdentity = identity,
            LeaseDurationSeconds = (int)options.LeaseDuration.TotalSeconds,
            AcquireTime = MicroTime(now),
            RenewTime = MicroTime(now),
            LeaseTransitions = 0,
        },
    };

    /// <summary>Lease times are MicroTime: microseconds, in UTC.</summary>
    private static DateTime MicroTime(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % 10), DateTimeKind.Utc);
}
