namespace Celeriac.Sqs;

/// <summary>Message attributes Celeriac sets on SQS messages.</summary>
internal static class SqsAttributes
{
    /// <summary>Unix milliseconds before which the message must not run: a countdown beyond SQS's 15-minute delay travels in hops.</summary>
    public const string NotBefore = "celeriac-not-before";
    /// <summary>"base64" when the body bytes were not text SQS accepts.</summary>
    public const string Encoding = "celeriac-encoding";
    /// <summary>Deliveries before a release re-sent the message; added to SQS's receive count of the copy.</summary>
    public const string Deliveries = "celeriac-deliveries";
    public const string Reason = "celeriac-reason";
    public const string SourceQueue = "celeriac-queue";
    public const string DeadLetteredAt = "celeriac-dead-lettered-at";
}
