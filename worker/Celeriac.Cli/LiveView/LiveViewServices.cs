using System.Globalization;
using Celeriac.Registry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Celeriac.Cli.LiveView;

/// <summary>What the registry, control and index commands share: the store check, reading the live workers, and formats.</summary>
internal static class LiveViewServices
{
    /// <summary>The registry lives in the store: one that only this process sees would always be empty.</summary>
    public static IWorkerRegistry Registry(IServiceProvider provider)
    {
        var registry = provider.GetRequiredService<IWorkerRegistry>();
        if (registry is InMemoryWorkerRegistry)
            throw new InvalidOperationException("this broker has no shared store, so workers cannot be seen or controlled from here (set Celeriac__Store__Type=redis or sqlite)");
        return registry;
    }

    /// <summary>The workers in the registry, oldest first, with their status now.</summary>
    public static async Task<IReadOnlyList<(WorkerInfo Worker, WorkerStatus Status)>> WorkersAsync(IServiceProvider provider, CancellationToken cancellationToken)
    {
        var lostAfter = provider.GetRequiredService<IOptions<RegistryOptions>>().Value.LostAfter;
        var now = provider.GetRequiredService<TimeProvider>().GetUtcNow();
        var workers = await Registry(provider).ListAsync(cancellationToken);
        return [.. workers.OrderBy(w => w.StartedAt).ThenBy(w => w.Id, StringComparer.Ordinal).Select(w => (w, w.StatusAt(now, lostAfter)))];
    }

    public static bool IsLive(WorkerStatus status) => status is WorkerStatus.Online or WorkerStatus.Draining;

    /// <summary>A duration for a table: <c>45s</c>, <c>3m05s</c>, <c>2h10m</c>, <c>3d4h</c>.</summary>
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero) span = TimeSpan.Zero;
        return span.TotalSeconds < 60 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.#}s")
            : span.TotalMinutes < 60 ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes}m{span.Seconds:00}s")
            : span.TotalHours < 24 ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}h{span.Minutes:00}m")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalDays}d{span.Hours}h");
    }

    public static string Bytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):0.#}Mi");

    public static string Status(WorkerStatus status) => status.ToString().ToLowerInvariant();
}
