using System.Net;
using System.Text;

namespace Celeriac.Sqs.Tests.Infrastructure;

/// <summary>Answers requests from a script of (status, JSON body) responses, and records the requests' targets.</summary>
public sealed class ScriptedHandler(params (HttpStatusCode Status, string Body)[] responses) : HttpMessageHandler
{
    private readonly Queue<(HttpStatusCode Status, string Body)> _responses = new(responses);

    public List<string> Targets { get; } = [];
    public List<string> Authorizations { get; } = [];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Targets.Add(request.Headers.GetValues("X-Amz-Target").Single());
        Authorizations.Add(request.Headers.GetValues("Authorization").Single());
        var (status, body) = _responses.Dequeue();
        return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/x-amz-json-1.0") });
    }
}
