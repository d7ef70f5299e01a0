using System.Globalization;
using System.Text.Json.Nodes;
using Celeriac.Operator.Kubernetes;
using Microsoft.Extensions.Logging;

namespace Celeriac.Operator.Controller;

/// <summary>
/// Lease-based leader election (coordination.k8s.io/v1), as client-go does it: the holder renews the Lease
/// every retry period and steps down when it cannot renew within the renew deadline; a candidate takes the
/// Lease once the holder's record has not changed for a whole lease duration, measured on the candidate's
/// own clock (so clock skew between nodes does not matter). Writes use resourceVersion, so of two candidates
/// only one wins (the other gets 409).
/// </summary>
public sealed class LeaderElector(IKubernetesClient client, OperatorOptions options, string leaseNamespace, string identity, TimeProvider time, ILogger<LeaderElector> logger)
{
    private (string Holder, string RenewTime)? observedRecord;
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
            var lease = await client.GetAsync(ResourceTypes.Leases, leaseNamespace, options.LeaseName, cancellationToken).ConfigureAwait(false);
            if (lease is null)
            {
                await client.CreateAsync(ResourceTypes.Leases, NewLease(now), cancellationToken).ConfigureAwait(false);
                return true;
            }
            var spec = lease["spec"] as JsonObject ?? [];
            var holder = spec["holderIdentity"]?.GetValue<string>() ?? "";
            var renewTime = spec["renewTime"]?.GetValue<string>() ?? "";
            var duration = TimeSpan.FromSeconds(spec["leaseDurationSeconds"]?.GetValue<int>() ?? (int)options.LeaseDuration.TotalSeconds);
            if (observedRecord != (holder, renewTime))
            {
                observedRecord = (holder, renewTime);
                observedAt = now;
            }
            if (holder.Length > 0 && holder != identity && now < observedAt + duration) return false;

            var transitions = spec["leaseTransitions"]?.GetValue<int>() ?? 0;
            if (holder != identity)
            {
                transitions++;
                spec["acquireTime"] = MicroTime(now);
            }
            spec["holderIdentity"] = identity;
            spec["leaseDurationSeconds"] = (int)options.LeaseDuration.TotalSeconds;
            spec["renewTime"] = MicroTime(now);
            spec["leaseTransitions"] = transitions;
            lease["spec"] = spec;
            var updated = await client.ReplaceAsync(ResourceTypes.Leases, lease, cancellationToken).ConfigureAwait(false);
            observedRecord = (identity, updated["spec"]?["renewTime"]?.GetValue<string>() ?? "");
            observedAt = now;
            return true;
        }
        catch (KubernetesApiException e)
        {
            OperatorLog.LeaseAttemptFailed(logger, e.Message);
            return false;
        }
    }

    /// <summary>On a clean shutdown, give the Lease up so that another instance need not wait for it to expire.</summary>
    private async Task ReleaseAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var lease = await client.GetAsync(ResourceTypes.Leases, leaseNamespace, options.LeaseName, timeout.Token).ConfigureAwait(false);
            if (lease?["spec"] is not JsonObject spec || spec["holderIdentity"]?.GetValue<string>() != identity) return;
            spec["holderIdentity"] = "";
            spec["leaseDurationSeconds"] = 1;
            await client.ReplaceAsync(ResourceTypes.Leases, lease, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KubernetesApiException or OperationCanceledException)
        {
            OperatorLog.LeaseAttemptFailed(logger, e.Message);
        }
    }

    private JsonObject NewLease(DateTimeOffset now) => new()
    {
        ["apiVersion"] = "coordination.k8s.io/v1",
        ["kind"] = "Lease",
        ["metadata"] = new JsonObject { ["name"] = options.LeaseName, ["namespace"] = leaseNamespace },
        ["spec"] = new JsonObject
        {
            ["holderIdentity"] = identity,
            ["leaseDurationSeconds"] = (int)options.LeaseDuration.TotalSeconds,
            ["acquireTime"] = MicroTime(now),
            ["renewTime"] = MicroTime(now),
            ["leaseTransitions"] = 0,
        },
    };

    private static string MicroTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture);
}
