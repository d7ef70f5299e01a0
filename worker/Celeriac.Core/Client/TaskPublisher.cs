using System.Diagnostics;
using System.Text.Json;
using Celeriac.Brokers;
using Celeriac.Envelope;
using Celeriac.Hosting;
using Celeriac.Observability;
using Celeriac.Tasks;
using Microsoft.Extensions.Options;

namespace Celeriac.Client;

/// <summary>Builds envelopes (ids, queue routing, ETA, expiry, trace context) and sends them to the broker.</summary>
public sealed class TaskPublisher(IBroker broker, TaskRegistry registry, IOptions<CeleriacOptions> options, TimeProvider time)
{
    private readonly CeleriacOptions _options = options.Value;

    public TaskEnvelope CreateEnvelope(string taskName, JsonElement args, EnqueueOptions? enqueue)
    {
        registry.TryGet(taskName, out var descriptor);
        var now = time.GetUtcNow();
        var eta = enqueue?.Eta ?? (enqueue?.Countdown is { } countdown ? now + countdown : null);
        var expiresIn = enqueue?.ExpiresIn ?? descriptor?.Options.Expires;
        var expires = enqueue?.Expires ?? (expiresIn is { } e ? now + e : null);
        var queue = enqueue?.Queue
            ?? (enqueue?.Priority is { } priority ? _options.QueueForPriority(priority) : null)
            ?? descriptor?.Options.Queue
            ?? "default";

        Dictionary<string, string>? headers = null;
        if (enqueue?.Headers is { Count: > 0 } given) headers = new Dictionary<string, string>(given, StringComparer.Ordinal);
        if (Activity.Current is { } activity && activity.IdFormat == ActivityIdFormat.W3C)
        {
            headers ??= new Dictionary<string, string>(StringComparer.Ordinal);
            headers[TaskHeaders.TraceParent] = activity.Id!;
            if (activity.TraceStateString is { } state) headers[TaskHeaders.TraceState] = state;
        }

        return new TaskEnvelope
        {
            Id = enqueue?.TaskId ?? Guid.NewGuid().ToString(),
            Task = taskName,
            Args = args,
            Queue = queue,
            Eta = eta > now ? eta : null,
            Expires = expires,
            Created = now,
            Headers = headers,
        };
    }

    public ValueTask SendAsync(IReadOnlyList<TaskEnvelope> envelopes, CancellationToken cancellationToken)
    {
        using var activity = envelopes.Count > 0 && CeleriacDiagnostics.ActivitySource.HasListeners()
            ? CeleriacDiagnostics.ActivitySource.StartActivity("celeriac.enqueue " + envelopes[0].Task, ActivityKind.Producer)
            : null;
        var messages = new OutgoingMessage[envelopes.Count];
        for (var i = 0; i < envelopes.Count; i++)
        {
            var envelope = envelopes[i];
            messages[i] = new OutgoingMessage(envelope.Queue, EnvelopeSerializer.Serialize(envelope), envelope.Eta);
        }
        return broker.SendAsync(messages, cancellationToken);
    }

    /// <summary>Re-sends an envelope to be delivered after <paramref name="delay"/> (retries, replays).</summary>
    public ValueTask RepublishAsync(TaskEnvelope envelope, TimeSpan delay, CancellationToken cancellationToken)
    {
        var eta = delay > TimeSpan.Zero ? time.GetUtcNow() + delay : (DateTimeOffset?)null;
        return SendAsync([envelope with { Eta = eta }], cancellationToken);
    }
}
