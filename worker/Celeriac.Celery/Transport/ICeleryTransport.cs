using Celeriac.Brokers;

namespace Celeriac.Celery.Transport;

/// <summary>
/// A service carrying Celery queues as kombu lays them out (Celeriac.Celery.Redis: kombu's Redis transport;
/// Celeriac.Celery.Sqs: kombu's SQS transport). It is a broker whose bodies are kombu messages (the JSON payload kombu
/// stores; service-specific encodings such as SQS's base64 are the transport's business) and whose queue names are
/// Celery's. <see cref="CeleryBroker"/> turns them into Celeriac envelopes and back.
/// </summary>
public interface ICeleryTransport : IBroker, IBrokerAdmin;
