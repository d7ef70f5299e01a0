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

    public async ValueTask SendAsync(IReadOnlyList<TaskEnvelope> envelopes, CancellationToken cancellationToken)
    {
        using var activity = envelopes.Count > 0 && CeleriacDiagnostics.ActivitySource.HasListeners()
            ? CeleriacDiagnostics.ActivitySource.StartActivity("celeriac.enqueue " + envelopes[0].Task, ActivityKind.Producer)
            : null;
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("celeriac.task", envelopes[0].Task);
            activity.SetTag("messaging.destination.name", envelopes[0].Queue);
            activity.SetTag("messaging.batch.message_count", envelopes.Count);
            if (envelopes.Count == 1) activity.SetTag("celeriac.task_id", envelopes[0].Id);
        }
        var messages = new OutgoingMessage[envelopes.Count];
        for (var i = 0; i < envelopes.Count; i++)
        {
            var envelope = activity is null ? envelopes[i] : UnderProducerSpan(envelopes[i], activity);
            messages[i] = EnvelopeMessages.ToOutgoing(envelope);
        }
        await broker.SendAsync(messages, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes the enqueue span the parent of the task's run, as messaging traces are drawn. An envelope that already
    /// belongs to another trace (a replayed dead letter) keeps its own.
    /// </summary>
    private static TaskEnvelope UnderProducerSpan(TaskEnvelope envelope, Activity producer)
    {
        if (producer.IdFormat != ActivityIdFormat.W3C) return envelope;
        var current = envelope.GetHeader(TaskHeaders.TraceParent);
        if (current is not null && (!ActivityContext.TryParse(current, null, out var context) || context.TraceId != producer.TraceId)) return envelope;
        var headers = envelope.Headers is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(envelope.Headers, StringComparer.Ordinal);
        headers[TaskHeaders.TraceParent] = producer.Id!;
        if (producer.TraceStateString is { } state) headers[TaskHeaders.TraceState] = state;
        return envelope with { Headers = headers };
    }

    /// <summary>Re-sends an envelope to be delivered after <paramref name="delay"/> (retries, replays).</summary>
    public ValueTask RepublishAsync(TaskEnvelope envelope, TimeSpan delay, CancellationToken cancellationToken)
    {
        var eta = delay > TimeSpan.Zero ? time.GetUtcNow() + delay : (DateTimeOffset?)null;
        return SendAsync([envelope with { Eta = eta }], cancellationToken);
    }
}
