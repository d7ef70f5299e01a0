using System.Collections.Concurrent;

namespace Celeriac.Sqs.Tests.Infrastructure;

/// <summary>Counts the HTTP requests the SQS client sends, per action (from the X-Amz-Target header).</summary>
public sealed class RequestCounter() : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly ConcurrentDictionary<string, long> _byAction = new(StringComparer.Ordinal);
    private long _total;

    public long Total => Interlocked.Read(ref _total);

    public IReadOnlyDictionary<string, long> ByAction => _byAction.ToDictionary(p => p.Key, p => p.Value);

    public long Of(string action) => _byAction.GetValueOrDefault(action);

    public void Reset()
    {
        _byAction.Clear();
        Interlocked.Exchange(ref _total, 0);
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _total);
        var action = request.Headers.TryGetValues("X-Amz-Target", out var values) ? values.First().Replace("AmazonSQS.", "", StringComparison.Ordinal) : "?";
        _byAction.AddOrUpdate(action, 1, (_, n) => n + 1);
        return base.SendAsync(request, cancellationToken);
    }
}
