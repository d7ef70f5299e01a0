using Celeriac.ServiceBus.Peer.Entities;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Encoding;
using Microsoft.Azure.Amqp.Framing;

namespace Celeriac.ServiceBus.Peer.Amqp;

/// <summary>
/// A node answering requests over a link pair (AMQP Management 1.0 as Service Bus uses it for <c>$cbs</c> and
/// <c>&lt;entity&gt;/$management</c>): requests arrive on the client's sending link with a message-id and a reply-to;
/// the answer goes out on the client's receiving link whose target address is that reply-to, with correlation-id set
/// to the request's message-id.
/// </summary>
internal abstract class RequestResponseNode(PeerNamespace ns)
{
    protected PeerNamespace Namespace { get; } = ns;

    public void Attach(AmqpLink link, ConnectionState connection)
    {
        if (link is ReceivingAmqpLink requests)
            requests.RegisterMessageListener(request => ThreadPool.UnsafeQueueUserWorkItem(_ => _ = HandleAsync(requests, request, connection), null));
        else if (link is SendingAmqpLink replies && link.Settings.Target is Target { Address: { } address })
            connection.AddReplyLink(address.ToString()!, replies);
    }

    protected abstract Task<AmqpMessage> AnswerAsync(AmqpMessage request, ConnectionState connection);

    private async Task HandleAsync(ReceivingAmqpLink link, AmqpMessage request, ConnectionState connection)
    {
        var messageId = request.Properties?.MessageId;
        var replyTo = request.Properties?.ReplyTo?.ToString();
        AmqpMessage answer;
        try
        {
            answer = await AnswerAsync(request, connection).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AmqpException or InvalidCastException or ArgumentException or FormatException or NullReferenceException)
        {
            answer = ex is AmqpException amqp ? Failure(AmqpResponseStatusCode.BadRequest, amqp.Error.Condition, amqp.Error.Description) : Failure(AmqpResponseStatusCode.BadRequest, AmqpErrorCode.InvalidField, ex.Message);
        }
        if (!request.Settled) link.AcceptMessage(request, true, true);
        request.Dispose();
        answer.Properties.CorrelationId = messageId;
        var reply = connection.ReplyLink(replyTo);
        if (reply is null)
        {
            answer.Dispose();
            return;
        }
        reply.SendMessageNoWait(answer, new ArraySegment<byte>(Guid.NewGuid().ToByteArray()), AmqpConstants.NullBinary);
    }

    /// <summary>An answer of Service Bus's management node: status in the application properties, a map in an AmqpValue body.</summary>
    protected static AmqpMessage Answer(AmqpResponseStatusCode status, AmqpMap? body = null)
    {
        var message = AmqpMessage.Create(new AmqpValue { Value = body ?? new AmqpMap() });
        message.ApplicationProperties.Map["statusCode"] = (int)status;
        message.ApplicationProperties.Map["statusDescription"] = status.ToString();
        return message;
    }

    protected static AmqpMessage Failure(AmqpResponseStatusCode status, AmqpSymbol condition, string? description)
    {
        var message = AmqpMessage.Create(new AmqpValue { Value = new AmqpMap() });
        message.ApplicationProperties.Map["statusCode"] = (int)status;
        message.ApplicationProperties.Map["statusDescription"] = description ?? condition.Value;
        message.ApplicationProperties.Map["errorCondition"] = condition;
        return message;
    }
}
