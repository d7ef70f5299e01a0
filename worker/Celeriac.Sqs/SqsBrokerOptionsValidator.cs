using Celeriac.Hosting;

namespace Celeriac.Sqs;

/// <summary>The rules of <c>Celeriac:Broker:Sqs</c>.</summary>
public sealed class SqsBrokerOptionsValidator() : OptionsSectionValidator<SqsBrokerOptions>("Broker:Sqs")
{
    internal static SqsBrokerOptionsValidator Instance { get; } = new();

    protected override void Check(SqsBrokerOptions options, OptionsCheck check)
    {
        options.Check(check);
        if (string.IsNullOrWhiteSpace(options.QueueUrlPrefix) && options.QueueUrls.Count == 0)
            check.Fail(nameof(options.QueueUrlPrefix), $"(or {check.KeyOf(nameof(options.QueueUrls))}:<queue>) must be set: the SQS broker needs its queues' URLs.");
        if (options.LongPollSeconds > 20)
            check.Fail(nameof(options.LongPollSeconds), $"must be at most 20, SQS's longest wait (was {options.LongPollSeconds}).");
        check.NotNegative(options.MaxRetries, nameof(options.MaxRetries));
        if (options.MaxMessageBytes < 1024)
            check.Fail(nameof(options.MaxMessageBytes), $"must be at least 1024 (was {options.MaxMessageBytes}).");
        if (!string.IsNullOrWhiteSpace(options.Endpoint) && !Uri.TryCreate(options.Endpoint, UriKind.Absolute, out _))
            check.Fail(nameof(options.Endpoint), $"must be an absolute URL (was '{options.Endpoint}').");
    }
}
