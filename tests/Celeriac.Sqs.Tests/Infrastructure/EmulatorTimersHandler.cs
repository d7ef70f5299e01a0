namespace Celeriac.Sqs.Tests.Infrastructure;

/// <summary>
/// local-aws-sqs marks every new message delayed until a zero-delay timer of its event loop fires, so queue attributes
/// read within a millisecond of a send count it as delayed. SQS has no such window; the tests give the emulator's
/// timers a few milliseconds before each GetQueueAttributes.
/// </summary>
public sealed class EmulatorTimersHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.TryGetValues("X-Amz-Target", out var target) && target.First() == "AmazonSQS.GetQueueAttributes")
            await Task.Delay(5, cancellationToken);
        return await base.SendAsync(request, cancellationToken);
    }
}
