using System.Collections.Concurrent;

namespace Celeriac.Bench;

/// <summary>Counts the HTTP requests of an SQS client, per action (X-Amz-Target): SQS bills per request.</summary>
public sealed class CountingHandler() : DelegatingHandler(new SocketsHttpHandler { MaxConnectionsPerServer = 64 })
{
    private readonly ConcurrentDictionary<string, long> _byAction = new(StringComparer.Ordinal);
    private long _total;

    public long Total => Interlocked.Read(ref _total);

    public IReadOnlyDictionary<string, long> Snapshot() => _byAction.ToDictionary(p => p.Key, p => p.Value);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _total);
        var action = request.Headers.TryGetValues("X-Amz-Target", out var values) ? values.First().Replace("AmazonSQS.", "", StringComparison.Ordinal) : "?";
        _byAction.AddOrUpdate(action, 1, (_, n) => n + 1);
        return base.SendAsync(request, cancellationToken);
    }
}
