using Celeriac.Brokers;
using Celeriac.Celery.Protocol;

namespace Celeriac.Celery.Transport;

/// <summary>
/// What a Celeriac message made from a Celery message carries for the broker and the Celery middleware: the transport's
/// own delivery (settled in its place) and the Celery task message it was read from.
/// </summary>
public sealed record CeleryDelivery(BrokerMessage TransportMessage, CeleryTaskMessage Message);
