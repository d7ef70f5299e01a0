using Celeriac.ServiceBus.Peer.Auth;
using Celeriac.ServiceBus.Peer.Entities;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace Celeriac.ServiceBus.Peer.Amqp;

/// <summary>
/// Claims-based security on <c>$cbs</c> (Service Bus AMQP protocol guide, "Claims-based authorization"): a
/// <c>put-token</c> request carries the token in an AmqpValue body, its <c>type</c>
/// (<c>servicebus.windows.net:sastoken</c> or <c>jwt</c>), the audience in <c>name</c> and its <c>expiration</c>; a valid
/// token lets the connection attach links to entities under the audience until it expires. Answers carry
/// <c>status-code</c> 202 or 401 and a <c>status-description</c>.
/// </summary>
internal sealed class CbsNode(PeerNamespace ns) : RequestResponseNode(ns)
{
    public const string Address = "$cbs";

    protected override Task<AmqpMessage> AnswerAsync(AmqpMessage request, ConnectionState connection)
    {
        Namespace.Operations.Count(PeerOperations.PutToken);
        var properties = request.ApplicationProperties.Map;
        if (properties["operation"] as string != "put-token") return Task.FromResult(Status(AmqpResponseStatusCode.BadRequest, "operation must be put-token"));
        var type = properties["type"] as string;
        var audience = properties["name"] as string;
        var token = request.ValueBody?.Value as string;
        var now = Namespace.Now;
        var until = properties["expiration"] is DateTime expiration ? new DateTimeOffset(DateTime.SpecifyKind(expiration, DateTimeKind.Utc)) : now.AddHours(1);
        if (audience is null || !Uri.TryCreate(audience, UriKind.Absolute, out var audienceUri) || token is null)
            return Task.FromResult(Status(AmqpResponseStatusCode.BadRequest, "name (the audience) and a token body are required"));
        var valid = type switch
        {
            "servicebus.windows.net:sastoken" => SharedAccessToken.Validate(token, Namespace.Options.KeyName, Namespace.Options.Key, now) is { } resource && SharedAccessToken.Covers(resource, audienceUri),
            "jwt" => Namespace.AcceptJwt(token),
            _ => false,
        };
        if (!valid) return Task.FromResult(Status(AmqpResponseStatusCode.Unauthorized, "InvalidSignature: the token is not valid for this audience"));
        connection.Grant(audienceUri, until);
        return Task.FromResult(Status(AmqpResponseStatusCode.Accepted, "Accepted"));
    }

    private static AmqpMessage Status(AmqpResponseStatusCode code, string description)
    {
        var message = AmqpMessage.Create(new AmqpValue { Value = null });
        message.ApplicationProperties.Map["status-code"] = (int)code;
        message.ApplicationProperties.Map["status-description"] = description;
        return message;
    }
}
