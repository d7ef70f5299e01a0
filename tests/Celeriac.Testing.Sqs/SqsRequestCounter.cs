using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Celeriac.Testing.Sqs;

/// <summary>Counts the HTTP requests the AWS SDK sends, per action (from the X-Amz-Target header), and keeps their JSON bodies.</summary>
public sealed class SqsRequestCounter() : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly ConcurrentDictionary<string, long> _byAction = new(StringComparer.Ordinal);
    private long _total;

    public long Total => Interlocked.Read(ref _total);

    public IReadOnlyDictionary<string, long> ByAction => _byAction.ToDictionary(p => p.Key, p => p.Value);

    public long Of(string action) => _byAction.GetValueOrDefault(action);

    /// <summary>The bodies of the requests of an action, as the SDK serialized them.</summary>
    public IReadOnlyList<JsonObject> Bodies(string action) => [.. _bodies.Where(b => b.Action == action).Select(b => b.Body)];

    private readonly ConcurrentQueue<(string Action, JsonObject Body)> _bodies = new();

    /// <summary>Each request's Authorization and X-Amz-Security-Token headers.</summary>
    public IReadOnlyList<(string? Authorization, string? Token)> Signatures => [.. _signatures];

    private readonly ConcurrentQueue<(string?, string?)> _signatures = new();

    public void Reset()
    {
        _byAction.Clear();
        _bodies.Clear();
        Interlocked.Exchange(ref _total, 0);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _total);
        var action = request.Headers.TryGetValues("X-Amz-Target", out var values) ? values.First().Replace("AmazonSQS.", "", StringComparison.Ordinal) : "?";
        _byAction.AddOrUpdate(action, 1, (_, n) => n + 1);
        _signatures.Enqueue((Header(request, "Authorization"), Header(request, "X-Amz-Security-Token")));
        if (request.Content is not null && JsonNode.Parse(await request.Content.ReadAsStringAsync(cancellationToken)) is JsonObject body) _bodies.Enqueue((action, body));
        return await base.SendAsync(request, cancellationToken);
    }

    private static string? Header(HttpRequestMessage request, string name) =>
        request.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
