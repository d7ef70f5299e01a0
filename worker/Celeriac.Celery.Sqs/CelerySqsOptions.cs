namespace Celeriac.Celery.Sqs;

/// <summary>kombu's SQS transport as Celery's workers configure it, bound from <c>Celeriac:Celery:Sqs</c>.</summary>
public sealed class CelerySqsOptions
{
    /// <summary>
    /// The account's queue URL base, e.g. <c>https://sqs.eu-west-1.amazonaws.com/123456789012/</c>: a queue's URL is this
    /// and its SQS name. Unset: <c>Celeriac:Broker:Sqs:QueueUrlPrefix</c> up to its last <c>/</c>, when the broker is SQS.
    /// </summary>
    public string? QueueUrlPrefix { get; set; }

    /// <summary>kombu's <c>queue_name_prefix</c> transport option: the SQS name of a queue is this prefix and the queue's name, with kombu's character rules.</summary>
    public string QueueNamePrefix { get; set; } = "";

    /// <summary>Where Celeriac puts Celery messages it cannot run (SQS has no dead-letter operation): an SQS queue of this name, after the name prefix.</summary>
    public string DeadLetterQueue { get; set; } = "celeriac-dead-letters";

    /// <summary>Create missing queues (development, emulators), as kombu does by default.</summary>
    public bool AutoCreateQueues { get; set; }

    /// <summary>The region; unset: the queue URL's, else the AWS SDK's chain. Not used when the app registered its own <c>IAmazonSQS</c> (or the broker is SQS).</summary>
    public string? Region { get; set; }

    /// <summary>The SQS endpoint (a VPC endpoint, an emulator); unset: the SDK's. Not used when an <c>IAmazonSQS</c> is registered.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Longest long poll, in seconds (kombu's <c>wait_time_seconds</c> is 10 by default; SQS allows up to 20).</summary>
    public int LongPollSeconds { get; set; } = 20;
}
