using System.Globalization;
using Celeriac.Envelope;

namespace Celeriac.Brokers;

/// <summary>Turns an envelope into the message a broker sends: the one place where transports' per-message settings come from.</summary>
public static class EnvelopeMessages
{
    /// <summary>The message id of an envelope: its task id on the first attempt, <c>id:attempt</c> for a retry (which is not a duplicate).</summary>
    public static string MessageId(TaskEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return envelope.Attempt == 0 ? envelope.Id : envelope.Id + ":" + envelope.Attempt.ToString(CultureInfo.InvariantCulture);
    }

    public static OutgoingMessage ToOutgoing(TaskEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return new OutgoingMessage(envelope.Queue, EnvelopeSerializer.Serialize(envelope), envelope.Eta)
        {
            MessageId = MessageId(envelope),
            Expires = envelope.Expires,
            Headers = envelope.Headers,
        };
    }
}
